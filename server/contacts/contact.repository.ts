/**
 * Reads of the contact store. Every method takes a Scope: store-level roles see only contacts related to
 * their store (`storeIds`), and a contact outside the scope is reported as not found.
 */
import type { Types } from 'mongoose';
import { NotFoundError } from '../errors.ts';
import { cursorFilter, toPage, type Page } from '../shared/pagination.ts';
import type { Scope } from '../shared/scope.ts';
import { toObjectId } from '../shared/object-id.ts';
import { toContactDto, type ContactDto, type ContactRow } from './contact.dto.ts';
import type { LifecycleStage } from './contact.schema.ts';
import type { ContactsModels } from './contacts.models.ts';

export type ContactFilter = {
  tagsAll?: string[];
  tagsAny?: string[];
  tagsNone?: string[];
  storeId?: string;
  /** Any of these stores (audiences). */
  storeIds?: string[];
  staffId?: string;
  lifecycle?: LifecycleStage[];
  text?: string;
  identityKey?: string;
};

/** A contact as an audience cursor reads it (bulk SOP enrollment). */
export type AudienceContact = { _id: Types.ObjectId; homeStoreId?: string | null; staffIds?: string[]; storeIds?: string[]; consent?: { optedOut?: boolean; reachable?: boolean } };

export class ContactRepository {
  constructor(private readonly models: Pick<ContactsModels, 'Contact'>) {}

  /** The mongo filter for a scope plus the user's filters; exported for audience counts and streams. */
  filterFor(scope: Scope, f: ContactFilter = {}): Record<string, unknown> {
    const and: Record<string, unknown>[] = [{ corpId: scope.corpId }, { mergedInto: null }];
    if (scope.storeIds !== null) and.push({ storeIds: { $in: scope.storeIds } });
    if (f.storeId) and.push({ storeIds: f.storeId });
    if (f.storeIds) and.push({ storeIds: { $in: f.storeIds } });
    if (f.staffId) and.push({ staffIds: f.staffId });
    if (f.tagsAll?.length) and.push({ tagIds: { $all: f.tagsAll } });
    if (f.tagsAny?.length) and.push({ tagIds: { $in: f.tagsAny } });
    if (f.tagsNone?.length) and.push({ tagIds: { $nin: f.tagsNone } });
    if (f.lifecycle?.length) and.push({ lifecycle: { $in: f.lifecycle } });
    if (f.identityKey) and.push({ identityKeys: f.identityKey });
    if (f.text) {
      const re = new RegExp(escapeRegExp(f.text), 'i');
      and.push({ $or: [{ name: re }, { remarks: re }] });
    }
    return { $and: and };
  }

  async list(scope: Scope, f: ContactFilter, page: { limit: number; cursor?: string }): Promise<Page<ContactDto>> {
    const rows = await this.models.Contact.find({ $and: [this.filterFor(scope, f), cursorFilter(page.cursor)] })
      .sort({ _id: -1 })
      .limit(page.limit + 1)
      .lean<ContactRow[]>();
    return toPage(rows, page.limit, toContactDto);
  }

  async count(scope: Scope, f: ContactFilter = {}): Promise<number> {
    return this.models.Contact.countDocuments(this.filterFor(scope, f));
  }

  async findRow(scope: Scope, id: string): Promise<ContactRow | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    return this.models.Contact.findOne({ $and: [{ _id }, this.filterFor(scope)] }).lean<ContactRow>();
  }

  async get(scope: Scope, id: string): Promise<ContactDto> {
    const row = await this.findRow(scope, id);
    if (!row) throw new NotFoundError('contact', id);
    return toContactDto(row);
  }

  /**
   * Adds and removes tags with two single-field atomic updates (MongoDB cannot $pull and $addToSet one path in
   * one update), so concurrent changes by two staff members never overwrite each other.
   */
  async changeTags(scope: Scope, id: string, add: string[], remove: string[], at: Date): Promise<ContactDto> {
    const row = await this.findRow(scope, id);
    if (!row) throw new NotFoundError('contact', id);
    const removing = new Set(remove);
    const adding = add.filter((t) => !removing.has(t));
    const where = { _id: row._id, corpId: scope.corpId };
    if (remove.length) await this.models.Contact.updateOne(where, { $pull: { tagIds: { $in: remove } }, $set: { updatedAt: at } }, { timestamps: false });
    if (adding.length) await this.models.Contact.updateOne(where, { $addToSet: { tagIds: { $each: adding } }, $set: { updatedAt: at } }, { timestamps: false });
    return this.get(scope, id);
  }

  /**
   * Opts a contact out of (or back into) marketing touches; `changed` is false when it already was so. The
   * SOP engine suppresses opted-out contacts at enrollment and again at send time.
   */
  async setConsent(scope: Scope, id: string, optedOut: boolean, at: Date): Promise<{ changed: boolean; contact: ContactDto }> {
    const row = await this.findRow(scope, id);
    if (!row) throw new NotFoundError('contact', id);
    const res = await this.models.Contact.updateOne(
      { _id: row._id, corpId: scope.corpId, 'consent.optedOut': !optedOut },
      { $set: { 'consent.optedOut': optedOut, 'consent.optedOutAt': optedOut ? at : null, updatedAt: at } },
      { timestamps: false },
    );
    return { changed: res.modifiedCount > 0, contact: await this.get(scope, id) };
  }

  /** The first contact matching the filter within the caller's stores (the sidebar finds one by identity key). */
  async findRowWhere(scope: Scope, f: ContactFilter): Promise<ContactRow | null> {
    return this.models.Contact.findOne(this.filterFor(scope, f)).lean<ContactRow>();
  }

  /** Name and WeCom external_userid of these contacts of the corp (a handover's customers); unknown ids left out. */
  async externalIdsOf(corpId: string, ids: readonly string[]): Promise<Array<{ id: string; externalUserId: string | null; name: string | null }>> {
    const rows = await this.models.Contact.find({ corpId, _id: { $in: ids } }).select('externalUserId name').lean();
    return rows.map((c) => ({ id: String(c._id), externalUserId: c.externalUserId ?? null, name: c.name ?? null }));
  }

  /** Moves the home store from one store to another, only if it still is `fromStoreId` (a handover; idempotent). */
  async moveHomeStore(corpId: string, contactId: string, fromStoreId: string, toStoreId: string): Promise<void> {
    await this.models.Contact.updateOne({ _id: contactId, corpId, homeStoreId: fromStoreId }, { $set: { homeStoreId: toStoreId } }, { timestamps: false });
  }

  /** The phone hashes of a corp's live contacts, streamed in one pass (the lead import reads them once per file). */
  async *phoneHashes(corpId: string): AsyncGenerator<string> {
    const cursor = this.models.Contact.collection.find({ corpId, phoneHash: { $type: 'string' }, mergedInto: null }, { projection: { _id: 0, phoneHash: 1 }, batchSize: 5000 });
    for await (const c of cursor) yield c.phoneHash as string;
  }

  /** Whether any contact of the corp, merged ones included, has this identity key. */
  async hasIdentityKey(corpId: string, key: string): Promise<boolean> {
    return (await this.models.Contact.collection.findOne({ corpId, identityKeys: key }, { projection: { _id: 1 } })) !== null;
  }

  /** A contact's identity keys by id, merged contacts included; empty when unknown. */
  async identityKeysOf(corpId: string, id: string): Promise<string[]> {
    const row = await this.models.Contact.findOne({ corpId, _id: id }).select('identityKeys').lean();
    return row?.identityKeys ?? [];
  }

  /** When each of these contacts opted out, for those that did (merged contacts included). */
  async optOutTimes(corpId: string, ids: string[]): Promise<Array<{ contactId: string; at: Date }>> {
    const objectIds = ids.map(toObjectId).filter((x) => x !== null);
    const rows = await this.models.Contact.find({ corpId, _id: { $in: objectIds }, 'consent.optedOut': true }).select('consent').lean();
    const out = [];
    for (const c of rows) if (c.consent?.optedOutAt) out.push({ contactId: String(c._id), at: c.consent.optedOutAt });
    return out;
  }

  /** Contacts of the corp by id, as stored: SOP routing reads their channel ids and consent. */
  async rowsByIds(corpId: string, ids: readonly string[]): Promise<ContactRow[]> {
    return this.models.Contact.find({ _id: { $in: ids }, corpId }).lean<ContactRow[]>();
  }

  /** How many contacts of a filter (from `filterFor`) relate to a store: the SOP dry run's count per store. */
  async countInStore(filter: Record<string, unknown>, storeId: string): Promise<number> {
    return this.models.Contact.countDocuments({ $and: [filter, { storeIds: storeId }] });
  }

  /** Ids of the contacts of a filter whose home store is this one, streamed: schedule triggers enroll them. */
  async *idsAtHomeStore(filter: Record<string, unknown>, storeId: string): AsyncGenerator<string> {
    for await (const c of this.models.Contact.find({ $and: [filter, { homeStoreId: storeId }] }).select('_id').lean().cursor({ batchSize: 500 })) yield String(c._id);
  }

  /**
   * An audience (a filter from `filterFor`) in `_id` order with the fields bulk enrollment routes by, on the
   * driver's cursor: mongoose documents cost too much for audiences of a million.
   */
  audienceCursor(filter: Record<string, unknown>, batchSize: number) {
    const { Contact } = this.models;
    return Contact.collection.find<AudienceContact>(Contact.find(filter).cast(), { batchSize, sort: { _id: 1 }, projection: { homeStoreId: 1, staffIds: 1, storeIds: 1, consent: 1 } });
  }

  /** Inserts prepared contact documents in one batch, skipping duplicates (the demo seed builds a whole corp). */
  async insertPrepared(docs: Parameters<ContactsModels['Contact']['insertMany']>[0]): Promise<void> {
    await this.models.Contact.insertMany(docs, { ordered: false });
  }

  /** Every WeCom customer of the corp (not merged away), as the demo's WeCom simulator is told about them. */
  async wecomCustomers(corpId: string): Promise<Array<{ id: string; externalUserId: string; name: string; unionid: string | null; gender: 0 | 1 | 2 }>> {
    const rows = await this.models.Contact.find({ corpId, mergedInto: null, externalUserId: { $type: 'string' } }).select('externalUserId name unionid gender').lean();
    return rows.map((r) => ({ id: String(r._id), externalUserId: r.externalUserId!, name: r.name ?? '', unionid: r.unionid ?? null, gender: (r.gender ?? 0) as 0 | 1 | 2 }));
  }
}

/**
 * Channel-side writes the inbound pipeline needs. Corp-level (no store scope): callbacks act for the corp.
 */
export class ContactChannelState {
  constructor(private readonly models: ContactsModels) {}

  async findByIdentity(corpId: string, identityKey: string): Promise<ContactDto | null> {
    const row = await this.models.Contact.findOne({ corpId, identityKeys: identityKey }).lean<ContactRow>();
    return row ? toContactDto(row) : null;
  }

  /** Reachable while any WeCom friend relation is live or any official-account follower is still subscribed. */
  async refreshReachability(corpId: string, contactId: string): Promise<void> {
    const row = await this.models.Contact.findOne({ _id: contactId, corpId }).lean<ContactRow>();
    if (!row) return;
    const liveFollows = await this.models.Follow.countDocuments({ corpId, contactId, deletedAt: null });
    const unsubscribed = new Set(row.unsubscribedKeys ?? []);
    const subscribed = (row.openids ?? []).some((o) => !unsubscribed.has(`openid:${o.appId}:${o.openid}`));
    await this.models.Contact.updateOne({ _id: row._id, corpId }, { $set: { 'consent.reachable': liveFollows > 0 || subscribed } }, { timestamps: false });
  }

  async setSubscribed(corpId: string, contactId: string, key: string, subscribed: boolean): Promise<void> {
    await this.models.Contact.updateOne({ _id: contactId, corpId }, subscribed ? { $pull: { unsubscribedKeys: key } } : { $addToSet: { unsubscribedKeys: key } }, { timestamps: false });
    await this.refreshReachability(corpId, contactId);
  }

  /** Names a nameless contact; conditional, so a name another channel wrote meanwhile is never overwritten. */
  async nameIfNameless(corpId: string, contactId: string, name: string): Promise<void> {
    await this.models.Contact.updateOne({ _id: contactId, corpId, name: { $in: ['', null] } }, { $set: { name } });
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
