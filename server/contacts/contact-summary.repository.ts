/**
 * A contact's fields derived from what else is stored about it, recomputed after every change to their sources:
 * from its live friend relations, its stores, staff members, remarks, home store and lifecycle; from those and its
 * official-account subscriptions, whether any channel still reaches it (`consent.reachable`). Each recomputation
 * reads the current state, so a repeat changes nothing and concurrent asks are done in batches (KeyBatcher): one
 * read of the relations, one of the contacts and one bulk write for every contact asked about at once.
 */
import { Types } from 'mongoose';
import { KeyBatcher } from '../db/key-batcher.ts';
import type { Clock } from '../shared/clock.ts';
import type { ContactsModels } from './contacts.models.ts';

/**
 * `relations`: everything, after a friend relation changed. `reachability`: only `consent.reachable`, after a
 * subscription changed (a contact the official account alone knows keeps its lifecycle).
 */
export type SummaryScope = 'relations' | 'reachability';

type Ask = { corpId: string; contactId: string; scope: SummaryScope };
type ContactFacts = { _id: Types.ObjectId; homeStoreId?: string | null; lifecycle?: string; openids?: Array<{ appId?: string | null; openid?: string | null }>; unsubscribedKeys?: string[] };
type LiveFollow = { contactId: string; staffId: string; storeId: string; remark?: string | null };

export class ContactSummaryRepository {
  private readonly batcher = new KeyBatcher<Ask, void>({
    key: (a) => `${a.corpId}\u0000${a.contactId}`,
    merge: (a, b) => (a.scope === 'relations' ? a : b),
    work: (asks) => this.work(asks),
  });

  constructor(
    private readonly models: Pick<ContactsModels, 'Contact' | 'Follow'>,
    private readonly clock: Clock,
  ) {}

  /** Recomputes the contact's derived fields from what is stored now; nothing when there is no such contact. */
  async refresh(corpId: string, contactId: string, scope: SummaryScope): Promise<void> {
    if (!Types.ObjectId.isValid(contactId)) return;
    await this.batcher.run({ corpId, contactId, scope });
  }

  private async work(asks: Ask[]): Promise<void[]> {
    const byCorp = new Map<string, Ask[]>();
    for (const a of asks) {
      const of = byCorp.get(a.corpId);
      if (of) of.push(a);
      else byCorp.set(a.corpId, [a]);
    }
    await Promise.all([...byCorp].map(([corpId, of]) => this.refreshCorp(corpId, of)));
    return asks.map(() => undefined);
  }

  private async refreshCorp(corpId: string, asks: Ask[]): Promise<void> {
    const ids = asks.map((a) => a.contactId);
    const [follows, contacts] = await Promise.all([
      this.models.Follow.find({ corpId, contactId: { $in: ids }, deletedAt: null }).select('contactId staffId storeId remark').lean<LiveFollow[]>(),
      this.models.Contact.find({ corpId, _id: { $in: ids.map((id) => new Types.ObjectId(id)) } })
        .select('homeStoreId lifecycle openids unsubscribedKeys')
        .lean<ContactFacts[]>(),
    ]);
    // In stored order, as one read per contact gave them: the first live relation names a missing home store.
    const liveOf = new Map<string, LiveFollow[]>();
    for (const f of follows) {
      const of = liveOf.get(f.contactId);
      if (of) of.push(f);
      else liveOf.set(f.contactId, [f]);
    }
    const scopeOf = new Map(asks.map((a) => [a.contactId, a.scope]));
    const now = this.clock.now();
    const writes = contacts.map((contact) => {
      const live = liveOf.get(String(contact._id)) ?? [];
      const set: Record<string, unknown> = scopeOf.get(String(contact._id)) === 'relations' ? { ...relationFields(contact, live), updatedAt: now } : {};
      set['consent.reachable'] = live.length > 0 || subscribed(contact);
      return { updateOne: { filter: { _id: contact._id, corpId }, update: { $set: set } } };
    });
    if (writes.length) await this.models.Contact.collection.bulkWrite(writes, { ordered: false });
  }
}

function relationFields(contact: ContactFacts, live: LiveFollow[]): Record<string, unknown> {
  const storeIds = new Set(live.map((f) => f.storeId));
  if (contact.homeStoreId) storeIds.add(contact.homeStoreId);
  const set: Record<string, unknown> = {
    storeIds: [...storeIds],
    staffIds: [...new Set(live.map((f) => f.staffId))],
    remarks: [...new Set(live.map((f) => f.remark).filter(Boolean))],
  };
  if (!contact.homeStoreId && live[0]) set.homeStoreId = live[0].storeId;
  // A lead that becomes anyone's friend is a friend; losing every friend makes a contact lost.
  if (live.length && contact.lifecycle === 'lead') set.lifecycle = 'friend';
  if (!live.length && contact.lifecycle !== 'lead') set.lifecycle = 'lost';
  return set;
}

/** Whether an official account the contact follows has not seen it unsubscribe. */
function subscribed(contact: ContactFacts): boolean {
  const unsubscribed = new Set(contact.unsubscribedKeys ?? []);
  return (contact.openids ?? []).some((o) => !unsubscribed.has(`openid:${o.appId}:${o.openid}`));
}
