/**
 * Follow relations (customer ↔ staff member). Adding or deleting one also refreshes the contact's
 * denormalised `storeIds`, `staffIds` and `remarks`, which store scoping and list filters read.
 */
import { Types } from 'mongoose';
import type { Models } from '../db/models.ts';
import type { Scope } from '../shared/scope.ts';
import type { Clock } from '../shared/clock.ts';

export type FollowInput = {
  contactId: string;
  staff: { id: string; userId: string; storeId: string };
  remark?: string;
  description?: string;
  tagIds?: string[];
  addWay?: number;
  state?: string;
  addedAt: Date;
};

export class FollowRepository {
  constructor(
    private readonly models: Pick<Models, 'Follow' | 'Contact'>,
    private readonly clock: Clock,
  ) {}

  async upsert(corpId: string, f: FollowInput): Promise<void> {
    await this.models.Follow.updateOne(
      { corpId, contactId: f.contactId, staffId: f.staff.id },
      {
        $set: {
          staffUserId: f.staff.userId,
          storeId: f.staff.storeId,
          remark: f.remark ?? '',
          description: f.description ?? '',
          tagIds: f.tagIds ?? [],
          addWay: f.addWay ?? 0,
          state: f.state ?? '',
          deletedAt: null,
          deletedBy: null,
        },
        $setOnInsert: { addedAt: f.addedAt },
      },
      { upsert: true },
    );
    await this.refreshContact(corpId, f.contactId);
  }

  /**
   * The relation as an event tells it, before WeCom's detail is known: live again, with the event's state when it
   * has one; remark, tags and add way are kept when the relation exists and empty otherwise (the detail fills them).
   */
  async recordFromEvent(corpId: string, f: { contactId: string; staff: FollowInput['staff']; state?: string; addedAt: Date }): Promise<void> {
    await this.models.Follow.updateOne(
      { corpId, contactId: f.contactId, staffId: f.staff.id },
      {
        $set: { staffUserId: f.staff.userId, storeId: f.staff.storeId, deletedAt: null, deletedBy: null, ...(f.state !== undefined ? { state: f.state } : {}) },
        $setOnInsert: { remark: '', description: '', tagIds: [], addWay: 0, addedAt: f.addedAt, ...(f.state === undefined ? { state: '' } : {}) },
      },
      { upsert: true },
    );
    await this.refreshContact(corpId, f.contactId);
  }

  /** The relation's state, or null when there is no relation. */
  async stateOf(corpId: string, contactId: string, staffId: string): Promise<string | null> {
    return (await this.models.Follow.findOne({ corpId, contactId, staffId }).select('state').lean())?.state ?? null;
  }

  async markDeleted(corpId: string, contactId: string, staffId: string, by: 'staff' | 'customer', at: Date): Promise<void> {
    await this.models.Follow.updateOne({ corpId, contactId, staffId }, { $set: { deletedAt: at, deletedBy: by } });
    await this.refreshContact(corpId, contactId);
  }

  async listForContact(scope: Scope, contactId: string) {
    const rows = await this.models.Follow.find({ corpId: scope.corpId, contactId }).sort({ addedAt: 1 }).lean();
    return rows.map((f) => ({
      staffId: f.staffId,
      staffUserId: f.staffUserId,
      storeId: f.storeId,
      remark: f.remark,
      description: f.description,
      tagIds: f.tagIds,
      addWay: f.addWay,
      state: f.state,
      addedAt: f.addedAt,
      deletedAt: f.deletedAt ?? null,
      deletedBy: f.deletedBy ?? null,
    }));
  }

  /** Recomputes the contact's relation fields from its live follows (idempotent, so safe to repeat). */
  private async refreshContact(corpId: string, contactId: string): Promise<void> {
    const live = await this.models.Follow.find({ corpId, contactId, deletedAt: null }).lean();
    const contact = await this.models.Contact.findOne({ _id: new Types.ObjectId(contactId), corpId }).select('homeStoreId lifecycle').lean();
    if (!contact) return;
    const storeIds = new Set(live.map((f) => f.storeId));
    if (contact.homeStoreId) storeIds.add(contact.homeStoreId);
    const set: Record<string, unknown> = {
      storeIds: [...storeIds],
      staffIds: [...new Set(live.map((f) => f.staffId))],
      remarks: [...new Set(live.map((f) => f.remark).filter(Boolean))],
      updatedAt: this.clock.now(),
    };
    if (!contact.homeStoreId && live[0]) set.homeStoreId = live[0].storeId;
    // A lead that becomes anyone's friend is a friend; losing every friend makes a contact lost.
    if (live.length && contact.lifecycle === 'lead') set.lifecycle = 'friend';
    if (!live.length && contact.lifecycle !== 'lead') set.lifecycle = 'lost';
    await this.models.Contact.updateOne({ _id: contact._id, corpId }, { $set: set }, { timestamps: false });
  }

  /** Live relations of these contacts, oldest first: SOP routing chooses among them. */
  async liveOfContacts(corpId: string, contactIds: readonly string[]) {
    return this.models.Follow.find({ corpId, contactId: { $in: contactIds }, deletedAt: null }).sort({ addedAt: 1 }).lean();
  }

  /** One relation by its unique key (contact, staff member), deleted ones included; null when there is none. */
  async relation(corpId: string, contactId: string, staffId: string) {
    return this.models.Follow.findOne({ corpId, contactId, staffId }).select('staffId storeId addedAt deletedAt').lean();
  }
}
