/**
 * Follow relations (customer ↔ staff member). Adding or deleting one also refreshes the contact's
 * denormalised `storeIds`, `staffIds` and `remarks`, which store scoping and list filters read.
 */
import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../errors.ts';
import type { Scope } from '../shared/scope.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { ContactSummaryRepository } from './contact-summary.repository.ts';
import type { ContactsModels } from './contacts.models.ts';
import { UpdateBatcher } from '../db/update-batcher.ts';

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
  /**
   * The relation writes of events applied at once go to the database together (the inbound processor applies
   * dozens of adds and deletions side by side). They bypass mongoose, so the schema's timestamps are set here.
   */
  private readonly writes: UpdateBatcher;

  constructor(
    private readonly models: ContactsModels,
    private readonly summaries: Pick<ContactSummaryRepository, 'refresh'>,
  ) {
    this.writes = new UpdateBatcher(() => models.Follow.db.db!, models.Follow.collection.collectionName);
  }

  async upsert(corpId: string, f: FollowInput): Promise<void> {
    const now = new Date();
    await this.writes.update({
      q: { corpId, contactId: f.contactId, staffId: f.staff.id },
      u: {
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
          updatedAt: now,
        },
        $setOnInsert: { addedAt: f.addedAt, createdAt: now },
      },
      upsert: true,
    });
    await this.refreshContact(corpId, f.contactId);
  }

  /**
   * The relation as an event tells it, before WeCom's detail is known: live again, with the event's state when it
   * has one; remark, tags and add way are kept when the relation exists and empty otherwise (the detail fills them).
   */
  async recordFromEvent(corpId: string, f: { contactId: string; staff: FollowInput['staff']; state?: string; addedAt: Date }): Promise<void> {
    const now = new Date();
    await this.writes.update({
      q: { corpId, contactId: f.contactId, staffId: f.staff.id },
      u: {
        $set: { staffUserId: f.staff.userId, storeId: f.staff.storeId, deletedAt: null, deletedBy: null, updatedAt: now, ...(f.state !== undefined ? { state: f.state } : {}) },
        $setOnInsert: { remark: '', description: '', tagIds: [], addWay: 0, addedAt: f.addedAt, createdAt: now, ...(f.state === undefined ? { state: '' } : {}) },
      },
      upsert: true,
    });
    await this.refreshContact(corpId, f.contactId);
  }

  /** The relation's state, or null when there is no relation. */
  async stateOf(corpId: string, contactId: string, staffId: string): Promise<string | null> {
    return (await this.models.Follow.findOne({ corpId, contactId, staffId }).select('state').lean())?.state ?? null;
  }

  async markDeleted(corpId: string, contactId: string, staffId: string, by: 'staff' | 'customer', at: Date): Promise<void> {
    await this.writes.update({ q: { corpId, contactId, staffId }, u: { $set: { deletedAt: at, deletedBy: by, updatedAt: new Date() } } });
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

  /**
   * Moves a merged contact's relations to the contact it was merged into (contact-identity.repository.ts). Where
   * the winner already follows the same staff member the older relation stands and the copy goes.
   */
  async reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    const follows = await this.models.Follow.find({ corpId, contactId: fromContactId }).lean();
    for (const f of follows) {
      try {
        await this.models.Follow.updateOne({ _id: f._id, corpId }, { $set: { contactId: toContactId } });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        await this.models.Follow.deleteOne({ _id: f._id, corpId });
      }
    }
  }

  /** Recomputes the contact's relation fields from its live follows (idempotent, so safe to repeat; batched). */
  private async refreshContact(corpId: string, contactId: string): Promise<void> {
    await this.summaries.refresh(corpId, contactId, 'relations');
  }

  /** How many distinct customers these staff members (by WeCom userid) have live relations with. */
  async countCustomersOf(corpId: string, staffUserIds: readonly string[]): Promise<number> {
    if (!staffUserIds.length) return 0;
    const ids = await this.models.Follow.distinct('contactId', { corpId, staffUserId: { $in: staffUserIds }, deletedAt: null });
    return ids.length;
  }

  /** Adds and removes WeCom tags on one relation (what an edit_external_contact callback would write too). */
  async changeRelationTags(corpId: string, contactId: string, staffId: string, add: readonly string[], remove: readonly string[]): Promise<void> {
    const where = { corpId, contactId, staffId };
    if (remove.length) await this.models.Follow.updateOne(where, { $pull: { tagIds: { $in: remove } } });
    if (add.length) await this.models.Follow.updateOne(where, { $addToSet: { tagIds: { $each: add } } });
  }

  /** The relation of a customer and a member (a deleted one too unless `live`), or null. */
  async relationOf(corpId: string, contactId: string, staffId: string, opts: { live?: boolean } = {}) {
    return this.models.Follow.findOne({ corpId, contactId, staffId, ...(opts.live ? { deletedAt: null } : {}) }).lean();
  }

  /** The customers a member has a live relation with (a handover's customers), in stored order. */
  async liveContactIdsOfStaff(corpId: string, staffId: string): Promise<string[]> {
    return (await this.models.Follow.find({ corpId, staffId, deletedAt: null }).select('contactId').lean()).map((f) => f.contactId);
  }

  /** What a staff member wrote on a customer (remark, description); null when no relation was ever recorded. */
  async remarkOf(corpId: string, contactId: string, staffId: string): Promise<{ remark: string; description: string } | null> {
    const row = await this.models.Follow.findOne({ corpId, contactId, staffId }).select('remark description').lean();
    return row ? { remark: row.remark ?? '', description: row.description ?? '' } : null;
  }

  /** Live relations of these contacts, oldest first: SOP routing chooses among them. */
  async liveOfContacts(corpId: string, contactIds: readonly string[]) {
    return this.models.Follow.find({ corpId, contactId: { $in: contactIds }, deletedAt: null }).sort({ addedAt: 1 }).lean();
  }

  /** One relation by its unique key (contact, staff member), deleted ones included; null when there is none. */
  async relation(corpId: string, contactId: string, staffId: string) {
    return this.models.Follow.findOne({ corpId, contactId, staffId }).select('staffId storeId addedAt deletedAt').lean();
  }

  /**
   * Display names (this staff member's remark, else the WeChat name) and masked phones of contacts, keyed by id;
   * contacts outside the scope or merged away are left out.
   */
  async namesForStaff(scope: Scope, staffId: string, contactIds: readonly string[]): Promise<Map<string, { id: string; name: string; phone: string | null }>> {
    const objectIds = contactIds.map(toObjectId).filter((x): x is Types.ObjectId => x !== null);
    if (!objectIds.length) return new Map();
    const scoped = scope.storeIds === null ? {} : { storeIds: { $in: scope.storeIds } };
    const [contacts, follows] = await Promise.all([
      this.models.Contact.find({ _id: { $in: objectIds }, corpId: scope.corpId, mergedInto: null, ...scoped }).select('name phoneMasked').lean(),
      this.models.Follow.find({ corpId: scope.corpId, staffId, contactId: { $in: contactIds } }).select('contactId remark').lean(),
    ]);
    const remarks = new Map(follows.filter((f) => f.remark).map((f) => [f.contactId, f.remark]));
    const out = new Map<string, { id: string; name: string; phone: string | null }>();
    for (const c of contacts) {
      const id = String(c._id);
      out.set(id, { id, name: remarks.get(id) || c.name || '客户', phone: c.phoneMasked ?? null });
    }
    return out;
  }

  /** Inserts prepared relations in one batch, skipping duplicates (the demo seed). */
  async insertPrepared(docs: Parameters<ContactsModels['Follow']['insertMany']>[0]): Promise<void> {
    await this.models.Follow.insertMany(docs, { ordered: false });
  }

  /** Live relations that carry a WeCom tag, with the customer's external_userid: a tag merge re-marks each at WeCom. */
  async liveWithTag(corpId: string, tagId: string): Promise<Array<{ contactId: string; staffId: string; staffUserId: string; externalUserId: string | null }>> {
    const rows = await this.models.Follow.find({ corpId, tagIds: tagId, deletedAt: null }).select('contactId staffId staffUserId').lean();
    const ids = [...new Set(rows.map((f) => f.contactId))].map(toObjectId).filter((x): x is Types.ObjectId => x !== null);
    const contacts = await this.models.Contact.find({ corpId, _id: { $in: ids } }).select('externalUserId').lean();
    const external = new Map(contacts.map((c) => [String(c._id), c.externalUserId ?? null]));
    return rows.map((f) => ({ contactId: f.contactId, staffId: f.staffId, staffUserId: f.staffUserId, externalUserId: external.get(f.contactId) ?? null }));
  }

  /** Every relation of the corp carrying `fromTagId` carries `toTagId` instead (a tag merge; add first, then pull). */
  async replaceRelationTag(corpId: string, fromTagId: string, toTagId: string | null): Promise<void> {
    const where = { corpId, tagIds: fromTagId };
    if (toTagId) await this.models.Follow.updateMany(where, { $addToSet: { tagIds: toTagId } });
    await this.models.Follow.updateMany(where, { $pull: { tagIds: fromTagId } });
  }
}
