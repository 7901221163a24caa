/** Channel accounts. Credentials stay in `config`, validated by the adapter registry, and are never listed. */
import type { Types } from 'mongoose';
import type { ChannelKind } from '../../adapters/channel-adapter.ts';
import type { Models } from '../db/models.ts';
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

export class ChannelAccountRepository {
  constructor(private readonly models: Pick<Models, 'ChannelAccount'>) {}

  /** The account a callback URL names: `/callbacks/<kind>/:accountId`, or the kind's default without an id. */
  async resolve(kind: ChannelKind, accountId: string | undefined): Promise<ChannelAccount> {
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

  async listForCorp(corpId: string): Promise<ChannelAccount[]> {
    const rows = await this.models.ChannelAccount.find({ corpId, disabledAt: null }).sort({ kind: 1, name: 1 }).lean<Row[]>();
    return rows.map(toAccount);
  }

  /** Creates or replaces the default account of a kind (development accounts from the environment). */
  async upsertDefault(a: { corpId: string; kind: ChannelKind; name: string; config: Record<string, unknown> }): Promise<ChannelAccount> {
    const row = await this.models.ChannelAccount.findOneAndUpdate(
      { kind: a.kind, isDefault: true },
      { $set: { corpId: a.corpId, name: a.name, config: a.config, disabledAt: null } },
      { upsert: true, returnDocument: 'after' },
    ).lean<Row>();
    return toAccount(row!);
  }

  async create(a: { corpId: string; kind: ChannelKind; name: string; config: Record<string, unknown> }): Promise<ChannelAccount> {
    const doc = await this.models.ChannelAccount.create({ ...a, isDefault: false });
    return toAccount(doc.toObject() as Row);
  }
}
