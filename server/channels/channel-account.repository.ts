/** Channel accounts. Credentials stay in `config`, validated by the adapter registry, and are never listed. */
import type { Types } from 'mongoose';
import type { ChannelKind } from '../../adapters/channel-adapter.ts';
import type { ChannelsModels } from './channels.models.ts';
import { NotFoundError } from '../errors.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { ChannelAccountDoc } from './channel-account.schema.ts';

export type ChannelAccount = { id: string; corpId: string; kind: ChannelKind; name: string; isDefault: boolean; config: Record<string, unknown> };
type Row = ChannelAccountDoc & { _id: Types.ObjectId };

const toAccount = (r: Row): ChannelAccount => ({
  id: String(r._id),
  corpId: r.corpId,
  kind: r.kind,
  name: r.name,
  isDefault: r.isDefault,
  config: (r.config ?? {}) as Record<string, unknown>,
});

/**
 * Callback routes resolve the account on every delivery; a short cache spares a database round trip each time.
 * Changes made in this process clear it at once; other processes see them within RESOLVE_TTL_MS.
 */
const RESOLVE_TTL_MS = 5_000;

export class ChannelAccountRepository {
  private readonly resolved = new Map<string, { at: number; account: ChannelAccount }>();

  constructor(
    private readonly models: Pick<ChannelsModels, 'ChannelAccount'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The account a callback URL names: `/callbacks/<kind>/:accountId`, or the kind's default without an id. */
  async resolve(kind: ChannelKind, accountId: string | undefined): Promise<ChannelAccount> {
    const key = `${kind}:${accountId ?? ''}`;
    const hit = this.resolved.get(key);
    if (hit && this.now() - hit.at < RESOLVE_TTL_MS) return hit.account;
    const account = await this.resolveUncached(kind, accountId);
    this.resolved.set(key, { at: this.now(), account });
    return account;
  }

  private async resolveUncached(kind: ChannelKind, accountId: string | undefined): Promise<ChannelAccount> {
    const filter = accountId ? { _id: toObjectId(accountId), kind } : { kind, isDefault: true };
    if (accountId && !filter._id) throw new NotFoundError(`${kind} account`, accountId);
    const row = await this.models.ChannelAccount.findOne({ ...filter, disabledAt: null }).lean<Row>();
    if (!row) throw new NotFoundError(`${kind} account`, accountId ?? '(default)');
    return toAccount(row);
  }

  async get(id: string): Promise<ChannelAccount> {
    const _id = toObjectId(id);
    const row = _id ? await this.models.ChannelAccount.findOne({ _id }).lean<Row>() : null;
    if (!row) throw new NotFoundError('channel account', id);
    return toAccount(row);
  }

  async listByKind(kind: ChannelKind): Promise<ChannelAccount[]> {
    const rows = await this.models.ChannelAccount.find({ kind, disabledAt: null }).lean<Row[]>();
    return rows.map(toAccount);
  }

  /** Takes or renews the listener lease of an account; false when another live process holds it. */
  async acquireListenerLease(id: string, owner: string, until: Date, now: Date): Promise<boolean> {
    const res = await this.models.ChannelAccount.updateOne(
      { _id: toObjectId(id), $or: [{ 'listenerLease.owner': owner }, { 'listenerLease.owner': null }, { 'listenerLease.until': { $lt: now } }] },
      { $set: { 'listenerLease.owner': owner, 'listenerLease.until': until } },
    );
    return res.matchedCount > 0;
  }

  async releaseListenerLease(id: string, owner: string): Promise<void> {
    await this.models.ChannelAccount.updateOne({ _id: toObjectId(id), 'listenerLease.owner': owner }, { $set: { 'listenerLease.owner': null, 'listenerLease.until': null } });
  }

  async listForCorp(corpId: string): Promise<ChannelAccount[]> {
    const rows = await this.models.ChannelAccount.find({ corpId, disabledAt: null }).sort({ kind: 1, name: 1 }).lean<Row[]>();
    return rows.map(toAccount);
  }

  /** Creates or replaces the default account of a kind (development accounts from the environment). */
  async upsertDefault(a: { corpId: string; kind: ChannelKind; name: string; config: Record<string, unknown> }): Promise<ChannelAccount> {
    this.resolved.clear();
    const row = await this.models.ChannelAccount.findOneAndUpdate(
      { kind: a.kind, isDefault: true },
      { $set: { corpId: a.corpId, name: a.name, config: a.config, disabledAt: null } },
      { upsert: true, returnDocument: 'after' },
    ).lean<Row>();
    return toAccount(row!);
  }

  async create(a: { corpId: string; kind: ChannelKind; name: string; config: Record<string, unknown> }): Promise<ChannelAccount> {
    this.resolved.clear();
    const doc = await this.models.ChannelAccount.create({ ...a, isDefault: false });
    return toAccount(doc.toObject() as Row);
  }
}
