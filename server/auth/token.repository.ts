/**
 * The `tokens` collection. Rows are found by the secret's hash (the service hashes; this file never sees a
 * secret) and are never deleted: revoking stamps `revokedAt`, so the token list keeps its history.
 */
import type { Types } from 'mongoose';
import type { Role } from '../shared/principal.ts';
import { cursorFilter } from '../shared/pagination.ts';
import type { AuthModels } from './auth.models.ts';
import type { TokenDoc } from './token.schema.ts';

export type TokenRow = TokenDoc & { _id: Types.ObjectId; createdAt?: Date };

export type NewToken = { corpId: string; tokenHash: string; role: Role; name: string; storeId: string | null; staffId: string | null; expiresAt: Date };

export class TokenRepository {
  constructor(private readonly models: Pick<AuthModels, 'Token'>) {}

  async findByHash(tokenHash: string): Promise<TokenRow | null> {
    return this.models.Token.findOne({ tokenHash }).lean<TokenRow>();
  }

  /** Stores a new token and returns its id. */
  async insert(token: NewToken): Promise<string> {
    const doc = await this.models.Token.create(token);
    return String(doc._id);
  }

  /** Up to `limit` + 1 of a corp's tokens after the cursor, newest first, without their hashes (the caller pages). */
  async page(corpId: string, opts: { staffIds?: readonly string[]; limit: number; cursor?: string }): Promise<TokenRow[]> {
    const filter: Record<string, unknown> = { corpId, ...cursorFilter(opts.cursor) };
    if (opts.staffIds) filter.staffId = { $in: [...opts.staffIds] };
    return this.models.Token.find(filter).select({ tokenHash: 0 }).sort({ _id: -1 }).limit(opts.limit + 1).lean<TokenRow[]>();
  }

  /** The corp's unrevoked tokens of a role, with what their expiry is computed from. */
  async unrevokedOfRole(corpId: string, role: Role): Promise<TokenRow[]> {
    return this.models.Token.find({ corpId, role, revokedAt: null }).select({ role: 1, expiresAt: 1, createdAt: 1 }).lean<TokenRow[]>();
  }

  /** Revokes one live token, limited to those bound to `staffIds` when given; false when none matched (or the id is malformed). */
  async revoke(corpId: string, id: string, at: Date, staffIds?: readonly string[]): Promise<boolean> {
    const filter: Record<string, unknown> = { _id: id, corpId, revokedAt: null };
    if (staffIds) filter.staffId = { $in: [...staffIds] };
    const res = await this.models.Token.updateOne(filter, { $set: { revokedAt: at } }).catch(() => ({ matchedCount: 0 }));
    return res.matchedCount > 0;
  }

  /** Revokes every live token of a staff member: returns how many. */
  async revokeForStaff(corpId: string, staffId: string, at: Date): Promise<number> {
    const res = await this.models.Token.updateMany({ corpId, staffId, revokedAt: null }, { $set: { revokedAt: at } });
    return res.modifiedCount;
  }

  /**
   * Stamps `lastUsedAt` only when the stored one is older than `stale`, so concurrent requests (and HTTP workers)
   * write once between them.
   */
  async markUsed(id: Types.ObjectId, now: Date, stale: Date): Promise<void> {
    await this.models.Token.updateOne({ _id: id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lte: stale } }] }, { $set: { lastUsedAt: now } }, { timestamps: false });
  }
}
