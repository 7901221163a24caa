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
import type { ContactSummaryRepository } from './contact-summary.repository.ts';
import type { IdentityLookupRepository } from './identity-lookup.repository.ts';
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
  /** A prefix of the name or of a remark; four digits also match a masked phone's last four, `138****5678` the masked phone. */
  text?: string;
  /** `phone:<hmac>` of a full phone number typed into the search (the route hashes it; the number never reaches a query). */
  textPhoneKey?: string;
  identityKey?: string;
  /** Contacts reachable on this channel (they carry an identity of it). */
  channel?: ContactChannel;
  /** Added (first known) at or after / before. */
  addedFrom?: Date;
  addedTo?: Date;
};

export const CONTACT_CHANNELS = ['wecom', 'official_account', 'kf', 'wechaty'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
/** The identity-key prefix of each channel (see identity.ts): an anchored prefix is a range of the identity index. */
const CHANNEL_KEY_PREFIX: Record<ContactChannel, string> = { wecom: 'wecom:', official_account: 'openid:', kf: 'kf:', wechaty: 'wechaty:' };

/** One contact's tag change in a bulk edit: what the event log and the WeCom mirror need. */
export type BulkTagChange = { contactId: string; externalUserId: string | null; added: string[]; removed: string[] };

/** A contact row as the CSV export reads it; `phoneEnc` only when the caller may see full numbers. */
export type ExportRow = ContactRow & { phoneEnc?: string };

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
    if (f.channel) and.push({ identityKeys: new RegExp(`^${escapeRegExp(CHANNEL_KEY_PREFIX[f.channel])}`) });
    if (f.addedFrom || f.addedTo) and.push({ createdAt: { ...(f.addedFrom ? { $gte: f.addedFrom } : {}), ...(f.addedTo ? { $lt: f.addedTo } : {}) } });
    if (f.text) and.push({ $or: searchClauses(f.text, f.textPhoneKey) });
    return { $and: and };
  }

  /** Newest first; `page` (1-based, with `limit` as the page size) skips, otherwise `cursor` continues. */
  async list(scope: Scope, f: ContactFilter, page: { limit: number; cursor?: string; page?: number }): Promise<Page<ContactDto>> {
    const query = this.models.Contact.find({ $and: [this.filterFor(scope, f), page.page ? {} : cursorFilter(page.cursor)] }).sort({ _id: -1 });
    if (page.page) query.skip((page.page - 1) * page.limit);
    const rows = await query.limit(page.limit + 1).lean<ContactRow[]>();
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

  /** The contacts of a filter newest first, streamed for a CSV export; with `withPhone` the sealed phone too. */
  async *exportRows(scope: Scope, f: ContactFilter, withPhone: boolean): AsyncGenerator<ExportRow> {
    const query = this.models.Contact.find(this.filterFor(scope, f)).sort({ _id: -1 });
    if (withPhone) query.select('+phoneEnc');
    for await (const row of query.lean<ExportRow>().cursor({ batchSize: 1000 })) yield row as ExportRow;
  }

  /**
   * Adds and removes tags on every contact of a filter, in batches of `batchSize` ids read from one cursor; each
   * batch is two updateMany calls (add, then remove, as in `changeTags`). Yields, per batch, the contacts whose
   * tags changed, so the caller can record and mirror them before the next batch is read.
   */
  async *bulkChangeTags(scope: Scope, f: ContactFilter, add: string[], remove: string[], at: Date, batchSize = 500): AsyncGenerator<BulkTagChange[]> {
    const removing = new Set(remove);
    const adding = add.filter((t) => !removing.has(t));
    const cursor = this.models.Contact.find(this.filterFor(scope, f)).select('_id tagIds externalUserId').sort({ _id: 1 }).lean<ContactRow[]>().cursor({ batchSize });
    let batch: ContactRow[] = [];
    const flush = async (rows: ContactRow[]): Promise<BulkTagChange[]> => {
      const changes = rows
        .map((r) => {
          const before = new Set(r.tagIds ?? []);
          return { contactId: String(r._id), externalUserId: r.externalUserId ?? null, added: adding.filter((t) => !before.has(t)), removed: remove.filter((t) => before.has(t)) };
        })
        .filter((c) => c.added.length || c.removed.length);
      const ids = changes.map((c) => toObjectId(c.contactId));
      if (ids.length && remove.length) await this.models.Contact.updateMany({ corpId: scope.corpId, _id: { $in: ids } }, { $pull: { tagIds: { $in: remove } }, $set: { updatedAt: at } }, { timestamps: false });
      if (ids.length && adding.length) await this.models.Contact.updateMany({ corpId: scope.corpId, _id: { $in: ids } }, { $addToSet: { tagIds: { $each: adding } }, $set: { updatedAt: at } }, { timestamps: false });
      return changes;
    };
    for await (const row of cursor) {
      batch.push(row as ContactRow);
      if (batch.length >= batchSize) {
        const changes = await flush(batch);
        batch = [];
        if (changes.length) yield changes;
      }
    }
    if (batch.length) {
      const changes = await flush(batch);
      if (changes.length) yield changes;
    }
  }

  /** Inserts prepared contact documents in one batch, skipping duplicates (the demo seed builds a whole corp). */
  async insertPrepared(docs: Parameters<ContactsModels['Contact']['insertMany']>[0]): Promise<void> {
    await this.models.Contact.insertMany(docs, { ordered: false });
  }

  /**
   * How many live contacts within the caller's stores carry each tag (the tag library's usage counts); tags nobody
   * carries are absent. Served by the `corpId, tagIds` index.
   */
  async tagUsage(scope: Scope): Promise<Map<string, number>> {
    const rows = await this.models.Contact.aggregate<{ _id: string; n: number }>([
      { $match: { $and: [this.filterFor(scope), { 'tagIds.0': { $exists: true } }] } },
      { $unwind: '$tagIds' },
      { $group: { _id: '$tagIds', n: { $sum: 1 } } },
    ]);
    return new Map(rows.map((r) => [r._id, r.n]));
  }

  /**
   * Gives every contact of the corp that carries `fromTagId` the tag `toTagId` instead (a tag merge). Two
   * single-path updates, as in changeTags: the first adds `to` where `from` is, the second pulls `from`, so a
   * crash between them leaves contacts with both tags, never with neither. Returns how many carried `from`.
   */
  async replaceTag(corpId: string, fromTagId: string, toTagId: string, at: Date): Promise<number> {
    const where = { corpId, tagIds: fromTagId };
    const added = await this.models.Contact.updateMany(where, { $addToSet: { tagIds: toTagId }, $set: { updatedAt: at } }, { timestamps: false });
    await this.models.Contact.updateMany(where, { $pull: { tagIds: fromTagId } }, { timestamps: false });
    return added.matchedCount;
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
  constructor(
    private readonly models: ContactsModels,
    private readonly lookups: Pick<IdentityLookupRepository, 'byKey'>,
    private readonly summaries: Pick<ContactSummaryRepository, 'refresh'>,
  ) {}

  async findByIdentity(corpId: string, identityKey: string): Promise<ContactDto | null> {
    const row = await this.lookups.byKey(corpId, identityKey);
    return row ? toContactDto(row) : null;
  }

  /** Reachable while any WeCom friend relation is live or any official-account follower is still subscribed. */
  private async refreshReachability(corpId: string, contactId: string): Promise<void> {
    await this.summaries.refresh(corpId, contactId, 'reachability');
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

/**
 * The search's alternatives. Prefixes, not substrings: an anchored case-sensitive regex is an index range on
 * production MongoDB, a substring match is a scan of every contact of the corp (see the indexes in contact.schema.ts).
 */
function searchClauses(text: string, phoneKey: string | undefined): Record<string, unknown>[] {
  const prefix = new RegExp(`^${escapeRegExp(text)}`);
  const or: Record<string, unknown>[] = [{ name: prefix }, { remarks: prefix }];
  const compact = text.replace(/\s/g, '');
  if (/^\d{3}\*{4}\d{4}$/.test(compact)) or.push({ phoneMasked: compact });
  if (/^\d{4}$/.test(compact)) or.push({ phoneMasked: new RegExp(`\\*{4}${compact}$`) });
  if (phoneKey) or.push({ identityKeys: phoneKey });
  return or;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
