/**
 * Upsert by identity: finds the person behind any of the given identities and keeps one contact for them.
 *
 * Rules: the same externalUserId, unionid, openid, kf id, wechaty id or phone hash means the same person, and
 * in one corp a kf id and an externalUserId with the same value do too (both write identity.ts `personKeys`).
 * When an incoming set of identities matches several contacts (an official-account fan and a WeCom customer
 * whose unionid arrives later), they are merged into the oldest. There are no transactions (the development
 * database has none, and none are needed): the unique index on identityKeys refuses a duplicate, and the loser of
 * such a race simply retries and finds the winner.
 */
import { ConflictError, isDuplicateKeyError } from '../errors.ts';
import type { Clock } from '../shared/clock.ts';
import { newContactDocument, toContactDto, type ContactDto, type ContactRow } from './contact.dto.ts';
import type { LifecycleStage } from './contact.schema.ts';
import { InsertBatcher } from '../db/insert-batcher.ts';
import type { IdentityLookupRepository } from './identity-lookup.repository.ts';
import type { ContactsModels } from './contacts.models.ts';
import type { FollowRepository } from './follow.repository.ts';
import { identityKey, parseIdentityKey, personKeys, phoneKey, type Identity } from './identity.ts';
import { maskPhone, type PhoneVault } from './phone.ts';

export type ContactProfile = {
  name?: string;
  avatar?: string;
  gender?: 0 | 1 | 2;
  lifecycle?: LifecycleStage;
  homeStoreId?: string | null;
};

export type ContactUpsert = {
  identities: Identity[];
  /** Raw phone as received; normalised and hashed here. */
  phone?: string;
  profile?: ContactProfile;
  interactionAt?: Date;
  /** The name of a contact this upsert creates (a kf nickname); a stored contact's name is left alone. */
  nameIfNew?: string;
  /**
   * The caller expects the contact to be stored already (a kf customer linked when its page was read): it is
   * looked up first instead of costing a refused insert.
   */
  likelyStored?: boolean;
};

export type UpsertResult = { contact: ContactDto; created: boolean; mergedIds: string[] };

/** What a merge needs from the domains that keep contact ids in their own collections. */
export type ContactReassigner = { reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> };

const MAX_ATTEMPTS = 8;

export class ContactIdentityRepository {
  constructor(
    private readonly models: Pick<ContactsModels, 'Contact'>,
    private readonly lookups: Pick<IdentityLookupRepository, 'byKey'>,
    private readonly follows: Pick<FollowRepository, 'reassignContact'>,
    private readonly phones: PhoneVault,
    private readonly clock: Clock,
    /** A merge moves the loser's events and group memberships to the winner; those collections belong to events and groups. */
    private readonly moves: { events: ContactReassigner; groups: ContactReassigner },
  ) {
    this.inserts = new InsertBatcher(() => models.Contact.db.db!, models.Contact.collection.collectionName);
  }

  /** New contacts are written together with the others created at the same moment: one command, not one each. */
  private readonly inserts: InsertBatcher;

  /** Domains built after contacts (tasks, the SOP ledger) that also keep contact ids: a merge moves theirs too. */
  private readonly later: ContactReassigner[] = [];

  alsoMoveOnMerge(...reassigners: ContactReassigner[]): void {
    this.later.push(...reassigners);
  }

  /**
   * The duplicates stored before kf ids and WeCom ids of one person were joined: each contact holding `kf:<id>`
   * while another holds `wecom:<id>` is merged into the WeCom one (identities, tags, events, groups, relations,
   * tasks, SOP runs and touches move; the duplicate stays as a `mergedInto` tombstone, out of every list).
   * Idempotent: a second pass finds nothing. Returns the merged pairs.
   */
  async mergeKfDuplicates(corpId: string): Promise<Array<{ from: string; into: string }>> {
    const merged: Array<{ from: string; into: string }> = [];
    const kfContacts = await this.models.Contact.find({ corpId, mergedInto: null, kfIds: { $exists: true, $ne: [] } }).select('_id kfIds').lean<Array<Pick<ContactRow, '_id' | 'kfIds'>>>();
    for (const kf of kfContacts) {
      for (const id of kf.kfIds ?? []) {
        const twin = await this.models.Contact.findOne({ corpId, identityKeys: identityKey({ kind: 'wecom', externalUserId: id }) }).lean<ContactRow>();
        if (!twin || String(twin._id) === String(kf._id)) continue;
        const loser = await this.models.Contact.findOne({ _id: kf._id, corpId, mergedInto: null }).lean<ContactRow>();
        if (!loser) break;
        await this.mergeInto(corpId, twin, loser);
        merged.push({ from: String(kf._id), into: String(twin._id) });
        break;
      }
    }
    await this.backfillPersonKeys(corpId);
    return merged;
  }

  /**
   * Contacts stored before `xu:` keys were written get theirs (after the merge above, so twins are one contact by
   * then); a contact whose key another still holds is left for the next pass rather than failing the boot.
   */
  private async backfillPersonKeys(corpId: string): Promise<void> {
    const rows = await this.models.Contact.find({ corpId, mergedInto: null }).select('identityKeys').lean<Array<Pick<ContactRow, '_id' | 'identityKeys'>>>();
    for (const row of rows) {
      const keys = row.identityKeys ?? [];
      const missing = keys.flatMap((k) => { const id = parseIdentityKey(k); return id ? personKeys(id) : []; }).filter((k) => !keys.includes(k));
      if (!missing.length) continue;
      try {
        await this.models.Contact.updateOne({ _id: row._id, corpId }, { $addToSet: { identityKeys: { $each: [...new Set(missing)] } } });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
  }

  async upsert(corpId: string, input: ContactUpsert): Promise<UpsertResult> {
    const phone = input.phone ? this.phones.normalizeOrThrow(input.phone) : undefined;
    const phoneHash = phone ? this.phones.hash(phone) : undefined;
    const keys = [...new Set([...input.identities.map(identityKey), ...input.identities.flatMap(personKeys), ...(phoneHash ? [phoneKey(phoneHash)] : [])])];
    if (!keys.length) throw new ConflictError('客户至少需要一个身份（渠道 id 或手机号） A contact needs at least one identity (channel id or phone)');

    // Optimistic first try: a person we have never seen costs one insert. The unique index refuses it when any
    // key is already taken, and only then do we look the owners up (and merge them if several).
    if (!input.likelyStored) {
      const created = await this.insert(corpId, keys, input, phone, phoneHash);
      if (created) return { contact: toContactDto(created), created: true, mergedIds: [] };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const matches = await this.findByKeys(corpId, keys);
      try {
        if (!matches.length) {
          const created = await this.insert(corpId, keys, input, phone, phoneHash);
          if (created) return { contact: toContactDto(created), created: true, mergedIds: [] };
          continue; // another writer took one of the keys meanwhile: read again
        }
        const [winner, ...losers] = matches as [ContactRow, ...ContactRow[]];
        for (const loser of losers) await this.mergeInto(corpId, winner, loser);
        const updated = await this.attach(corpId, winner, keys, input, phone, phoneHash);
        return { contact: toContactDto(updated), created: false, mergedIds: losers.map((l) => String(l._id)) };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        // Another writer claimed one of these identities between our read and write: read again.
      }
    }
    throw new ConflictError('客户身份正被同时修改，请重试 Contact identity is contended; retry the request');
  }

  /** The contacts holding any of `keys`, oldest first (one batched read for all the keys asked for at once). */
  private async findByKeys(corpId: string, keys: string[]): Promise<ContactRow[]> {
    const found = await Promise.all(keys.map((key) => this.lookups.byKey(corpId, key)));
    const unique = new Map(found.filter((c): c is ContactRow => c !== null).map((c) => [String(c._id), c]));
    return [...unique.values()].sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
  }

  /** The new contact, or null when the unique index refused it (another contact holds one of the keys). */
  private async insert(corpId: string, keys: string[], input: ContactUpsert, phone?: string, phoneHash?: string): Promise<ContactRow | null> {
    const now = this.clock.now();
    const ids = splitIdentities(input.identities);
    const p = input.profile ?? {};
    // A complete document (every schema default spelled out in newContactDocument) written without mongoose:
    // the save pipeline costs more CPU than the insert itself on this hot path.
    const row = newContactDocument({
      corpId,
      identityKeys: keys,
      ...ids.scalars,
      openids: ids.openids,
      kfIds: ids.kfIds,
      wechatyIds: ids.wechatyIds,
      ...(phone && phoneHash ? { phoneEnc: this.phones.encrypt(phone), phoneHash, phoneMasked: maskPhone(phone) } : {}),
      name: p.name ?? input.nameIfNew ?? '',
      ...(p.avatar ? { avatar: p.avatar } : {}),
      gender: p.gender ?? 0,
      lifecycle: p.lifecycle ?? 'lead',
      homeStoreId: p.homeStoreId ?? null,
      storeIds: p.homeStoreId ? [p.homeStoreId] : [],
      lastInteractionAt: input.interactionAt ?? null,
      createdAt: now,
      updatedAt: now,
    });
    return (await this.inserts.insert(row)) === 'inserted' ? row : null;
  }

  private async attach(corpId: string, winner: ContactRow, keys: string[], input: ContactUpsert, phone?: string, phoneHash?: string): Promise<ContactRow> {
    const ids = splitIdentities(input.identities);
    const p = input.profile ?? {};
    const set: Record<string, unknown> = { updatedAt: this.clock.now() };
    // A scalar identity is filled when empty; a different value is kept as an extra key, never overwritten.
    for (const [k, v] of Object.entries(ids.scalars)) if (!winner[k as keyof ContactRow]) set[k] = v;
    if (phone && phoneHash && !winner.phoneHash) Object.assign(set, { phoneEnc: this.phones.encrypt(phone), phoneHash, phoneMasked: maskPhone(phone) });
    if (p.name) set.name = p.name;
    if (p.avatar) set.avatar = p.avatar;
    if (p.gender !== undefined) set.gender = p.gender;
    if (p.lifecycle) set.lifecycle = p.lifecycle;
    if (p.homeStoreId && !winner.homeStoreId) set.homeStoreId = p.homeStoreId;
    const update: Record<string, unknown> = {
      $set: set,
      $addToSet: {
        identityKeys: { $each: keys },
        openids: { $each: ids.openids },
        kfIds: { $each: ids.kfIds },
        wechatyIds: { $each: ids.wechatyIds },
        ...(p.homeStoreId ? { storeIds: p.homeStoreId } : {}),
      },
    };
    if (input.interactionAt) update.$max = { lastInteractionAt: input.interactionAt };
    // A group's members, a kf customer's every message: most upserts of a known contact change nothing.
    if (changesNothing(winner, set, keys, ids, p.homeStoreId, input.interactionAt)) return winner;
    const updated = await this.models.Contact.findOneAndUpdate({ _id: winner._id, corpId }, update, {
      returnDocument: 'after',
      timestamps: false,
    }).lean<ContactRow>();
    return updated ?? winner;
  }

  /**
   * Folds `loser` into `winner`. Order matters without transactions: the loser gives up its keys first (so the
   * winner can take them without a unique-key clash) and records them in mergedKeys, so an interrupted merge
   * can be finished by hand and no identity is ever lost.
   */
  private async mergeInto(corpId: string, winner: ContactRow, loser: ContactRow): Promise<void> {
    const winnerId = String(winner._id);
    const loserId = String(loser._id);
    const released = await this.models.Contact.findOneAndUpdate(
      { _id: loser._id, corpId, mergedInto: null },
      { $set: { mergedInto: winnerId, identityKeys: [`merged:${loserId}`], mergedKeys: loser.identityKeys, updatedAt: this.clock.now() } },
      { returnDocument: 'after', timestamps: false },
    ).lean<ContactRow>();
    if (!released) return; // someone else merged it already
    const set: Record<string, unknown> = {};
    for (const k of ['externalUserId', 'unionid', 'phoneHash', 'phoneMasked', 'avatar', 'homeStoreId'] as const) {
      if (!winner[k] && loser[k]) set[k] = loser[k];
    }
    if (!winner.phoneHash && loser.phoneHash) {
      const enc = await this.models.Contact.findById(loser._id).select('+phoneEnc').lean<{ phoneEnc?: string }>();
      if (enc?.phoneEnc) set.phoneEnc = enc.phoneEnc;
    }
    if (!winner.name && loser.name) set.name = loser.name;
    await this.models.Contact.updateOne(
      { _id: winner._id, corpId },
      {
        ...(Object.keys(set).length ? { $set: set } : {}),
        $addToSet: {
          identityKeys: { $each: loser.identityKeys ?? [] },
          openids: { $each: loser.openids ?? [] },
          kfIds: { $each: loser.kfIds ?? [] },
          wechatyIds: { $each: loser.wechatyIds ?? [] },
          storeIds: { $each: loser.storeIds ?? [] },
          staffIds: { $each: loser.staffIds ?? [] },
          tagIds: { $each: loser.tagIds ?? [] },
          remarks: { $each: loser.remarks ?? [] },
        },
      },
      { timestamps: false },
    );
    await this.moves.events.reassignContact(corpId, loserId, winnerId);
    await this.moves.groups.reassignContact(corpId, loserId, winnerId);
    await this.follows.reassignContact(corpId, loserId, winnerId);
    for (const r of this.later) await r.reassignContact(corpId, loserId, winnerId);
  }
}

/** Whether attach's update would leave the contact as read (`set` holds `updatedAt` and the fields to set). */
function changesNothing(winner: ContactRow, set: Record<string, unknown>, keys: readonly string[], ids: ReturnType<typeof splitIdentities>, homeStoreId: string | null | undefined, interactionAt: Date | undefined): boolean {
  const stored = winner as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(set)) if (k !== 'updatedAt' && stored[k] !== v) return false;
  const has = (list: readonly string[] | undefined, values: readonly string[]) => values.every((v) => list?.includes(v));
  if (!has(winner.identityKeys, keys) || !has(winner.kfIds, ids.kfIds) || !has(winner.wechatyIds, ids.wechatyIds)) return false;
  const openids = (winner.openids ?? []).map((o) => `${o.appId}\u0000${o.openid}`);
  if (!has(openids, ids.openids.map((o) => `${o.appId}\u0000${o.openid}`))) return false;
  if (homeStoreId && !winner.storeIds?.includes(homeStoreId)) return false;
  return !interactionAt || (winner.lastInteractionAt != null && winner.lastInteractionAt >= interactionAt);
}

function splitIdentities(identities: Identity[]) {
  const scalars: { externalUserId?: string; unionid?: string } = {};
  const openids: Array<{ appId: string; openid: string }> = [];
  const kfIds: string[] = [];
  const wechatyIds: string[] = [];
  for (const id of identities) {
    if (id.kind === 'wecom') scalars.externalUserId ??= id.externalUserId;
    else if (id.kind === 'unionid') scalars.unionid ??= id.unionid;
    else if (id.kind === 'openid') openids.push({ appId: id.appId, openid: id.openid });
    else if (id.kind === 'kf') kfIds.push(id.externalUserId);
    else wechatyIds.push(id.id);
  }
  return { scalars, openids, kfIds, wechatyIds };
}
