/**
 * API tokens: `siyu_<48 hex>` secrets, stored as SHA-256 hashes. Lookups compare hashes, which are
 * uniformly distributed, so an index lookup leaks nothing useful about the secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BadRequestError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import type { OrgModule, StaffDto } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { toPage, type Page } from '../shared/pagination.ts';
import type { Principal, Role } from '../shared/principal.ts';
import { defaultExpiry, expiryOf, LAST_USED_RESOLUTION_MS } from './token-expiry.ts';
import type { TokenRepository, TokenRow } from './token.repository.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export type IssueTokenInput = { corpId: string; role: Role; name: string; staffId?: string; storeId?: string; expiresAt?: Date };
export type IssuedToken = { id: string; token: string; role: Role; corpId: string; storeId: string | null; staffId: string | null; expiresAt: Date };

/** What the token list shows: never the secret or its hash. */
export function toTokenDto(row: TokenRow, now: Date) {
  const expiresAt = expiryOf(row);
  return {
    id: String(row._id),
    role: row.role,
    name: row.name,
    staffId: row.staffId ?? null,
    storeId: row.storeId ?? null,
    createdAt: row.createdAt ?? null,
    expiresAt,
    lastUsedAt: row.lastUsedAt ?? null,
    revokedAt: row.revokedAt ?? null,
    revoked: !!row.revokedAt,
    expired: expiresAt.getTime() <= now.getTime(),
  };
}
export type TokenDto = ReturnType<typeof toTokenDto>;

export const TOKEN_EXPIRED_MESSAGE = '令牌已过期，请重新登录或申请新令牌 Token expired: sign in again or ask for a new token';

export class TokenService {
  private readonly adminHash: Buffer | null;

  constructor(
    private readonly tokens: TokenRepository,
    private readonly org: OrgModule,
    private readonly clock: Clock,
    adminToken: string | undefined,
  ) {
    this.adminHash = adminToken ? Buffer.from(sha256(adminToken), 'hex') : null;
  }

  /**
   * The token's principal, or 401 when it is unknown, revoked, expired, or bound to a staff member who has left.
   * Resigning revokes the member's tokens (revokeForStaff); the status is also read here, by _id, because a
   * token issued while the member was being resigned would otherwise escape both. The same read gives the
   * member's current store, so a moved member sees their new store at once.
   */
  async authenticate(secret: string): Promise<Principal> {
    const hash = sha256(secret);
    if (this.adminHash && timingSafeEqual(this.adminHash, Buffer.from(hash, 'hex'))) {
      return { tokenId: 'bootstrap', role: 'hq_admin', corpId: null, storeId: null, staffId: null };
    }
    const row = await this.tokens.findByHash(hash);
    if (!row || row.revokedAt) throw new UnauthenticatedError('令牌无效或已吊销 Unknown or revoked token');
    const now = this.clock.now();
    if (expiryOf(row).getTime() <= now.getTime()) throw new UnauthenticatedError(TOKEN_EXPIRED_MESSAGE);
    let storeId = row.storeId ?? null;
    if (row.staffId) {
      const staff = await this.org.getStaff({ corpId: row.corpId, storeIds: null }, row.staffId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      if (!staff || staff.status !== 'active') throw new UnauthenticatedError('该员工已离职，令牌已失效 This staff member has left; the token no longer works');
      if (row.role === 'staff' || row.role === 'store_manager') storeId = staff.storeId;
    }
    await this.touch(row, now);
    return { tokenId: String(row._id), role: row.role, corpId: row.corpId, storeId, staffId: row.staffId ?? null };
  }

  /**
   * Issues a token and returns its secret once. Staff and store-manager tokens are bound to a staff member;
   * any staffId must be an active member of the token's corp. `expiresAt` defaults to the role's lifetime.
   */
  async issue(input: IssueTokenInput): Promise<IssuedToken> {
    let storeId: string | null = input.storeId ?? null;
    let staffId: string | null = input.staffId ?? null;
    if ((input.role === 'staff' || input.role === 'store_manager') && !staffId) {
      throw new BadRequestError(`${input.role} 令牌须绑定员工 A ${input.role} token needs staffId`, [{ path: 'staffId', message: 'required for this role' }]);
    }
    if (staffId) {
      const staff = await this.activeStaff(input.corpId, staffId);
      staffId = staff.id;
      if (input.role === 'staff' || input.role === 'store_manager') storeId = staff.storeId;
    }
    const now = this.clock.now();
    const expiresAt = input.expiresAt ?? defaultExpiry(input.role, now);
    const token = `siyu_${randomBytes(24).toString('hex')}`;
    const id = await this.tokens.insert({ corpId: input.corpId, tokenHash: sha256(token), role: input.role, name: input.name, storeId, staffId, expiresAt });
    return { id, token, role: input.role, corpId: input.corpId, storeId, staffId, expiresAt };
  }

  /** A corp's tokens, newest first; `staffIds` narrows to the tokens bound to those members (a store's staff). */
  async list(corpId: string, opts: { staffIds?: readonly string[]; limit: number; cursor?: string }): Promise<Page<TokenDto>> {
    const rows = await this.tokens.page(corpId, opts);
    const now = this.clock.now();
    return toPage(rows, opts.limit, (r) => toTokenDto(r, now));
  }

  /** Whether the corp has a token of this role that still signs in (not revoked, not expired by expiryOf). */
  async hasLive(corpId: string, role: Role): Promise<boolean> {
    const rows = await this.tokens.unrevokedOfRole(corpId, role);
    const now = this.clock.now().getTime();
    return rows.some((r) => expiryOf(r).getTime() > now);
  }

  /** Revokes one token; `staffIds` limits which tokens the caller may revoke (a store's staff). */
  async revoke(corpId: string, id: string, staffIds?: readonly string[]): Promise<void> {
    if (!(await this.tokens.revoke(corpId, id, this.clock.now(), staffIds))) throw new NotFoundError('token', id);
  }

  /** Revokes every live token of a staff member (they resigned): returns how many. */
  async revokeForStaff(corpId: string, staffId: string): Promise<number> {
    return this.tokens.revokeForStaff(corpId, staffId, this.clock.now());
  }

  private async activeStaff(corpId: string, staffId: string): Promise<StaffDto> {
    const staff = await this.org.getStaff({ corpId, storeIds: null }, staffId);
    if (staff.status !== 'active') throw new BadRequestError(`员工 ${staffId} 已离职 Staff ${staffId} has resigned`, [{ path: 'staffId', message: 'resigned' }]);
    return staff;
  }

  /**
   * Records use at most once a minute per token: the filter only matches a stale `lastUsedAt`, so concurrent
   * requests (and HTTP workers) write once between them, and most requests write nothing.
   */
  private async touch(row: TokenRow, now: Date): Promise<void> {
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    if (row.lastUsedAt && row.lastUsedAt.getTime() > stale.getTime()) return;
    await this.tokens.markUsed(row._id, now, stale);
  }
}
