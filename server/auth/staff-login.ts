/**
 * Staff sign-in for the phone page (/m): a WeCom OAuth code (resolved to a userid by the default WeCom account's
 * adapter) or a one-time link a store manager or HQ hands out. Either ends in a staff or store-manager session
 * token bound to the staff member. Link secrets are stored as SHA-256 hashes, used once, and live 24 hours.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, UnauthenticatedError, UnavailableError } from '../errors.ts';
import type { OrgModule, StaffDto } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { StaffLoginLinkRepository } from './staff-login-link.repository.ts';
import type { TokenService } from './token.service.ts';

export const LOGIN_LINK_TTL_MS = 24 * 60 * 60_000;

export type StaffSession = { token: string; staff: StaffDto };

/** The default WeCom account, as far as sign-in needs it: its corp and its OAuth code → userid lookup. */
export type StaffOAuth = { corpId: string; resolveCode?: (code: string) => Promise<string | null> };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class StaffLoginService {
  constructor(
    private readonly deps: {
      links: StaffLoginLinkRepository;
      org: OrgModule;
      tokens: TokenService;
      clock: Clock;
      staffOAuth: () => Promise<StaffOAuth | null>;
    },
  ) {}

  /** A single-use sign-in link for an active staff member the caller can see (404 otherwise). */
  async issueLink(scope: Scope, staffId: string, issuedBy: string): Promise<{ url: string; expiresAt: Date }> {
    const staff = await this.deps.org.getStaff(scope, staffId);
    if (staff.status !== 'active') throw new NotFoundError('staff', staffId);
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.deps.clock.now().getTime() + LOGIN_LINK_TTL_MS);
    await this.deps.links.insert({ corpId: scope.corpId, staffId: staff.id, secretHash: sha256(secret), expiresAt, issuedBy });
    return { url: `/m/login?t=${secret}`, expiresAt };
  }

  /** Uses a link up (atomically, so two clicks cannot both sign in) and opens a session; 401 when used or expired. */
  async consumeLink(secret: string): Promise<StaffSession> {
    const now = this.deps.clock.now();
    const link = await this.deps.links.consume(sha256(secret), now);
    if (!link) throw new UnauthenticatedError('登录链接无效、已使用或已过期 This sign-in link is unknown, used or expired');
    // Only "no such member" means the link's member is gone; a database error stays an error (a 5xx the staff
    // member can retry), not a 401 that tells them their link is bad.
    const staff = await this.deps.org.getStaff({ corpId: link.corpId, storeIds: null }, link.staffId).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    return this.session(staff, 'login link session');
  }

  /** Revokes a staff member's unused links (they resigned): returns how many. */
  async revokeLinksOf(corpId: string, staffId: string): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.links.revokeUnusedOf(corpId, staffId, now);
  }

  /** Resolves a WeCom OAuth code through the default WeCom account and opens a session for that userid. */
  async signInWithOAuthCode(code: string): Promise<StaffSession> {
    const oauth = await this.deps.staffOAuth();
    if (!oauth?.resolveCode) throw new UnavailableError('未配置企业微信登录 WeCom sign-in is not configured');
    const userId = await oauth.resolveCode(code);
    if (!userId) throw new UnauthenticatedError('登录码无效、已使用或已过期 This sign-in code is unknown, used or expired');
    return this.session(await this.deps.org.findStaffByUserId(oauth.corpId, userId), 'oauth session');
  }

  private async session(staff: StaffDto | null, name: string): Promise<StaffSession> {
    if (!staff || staff.status !== 'active') throw new UnauthenticatedError('没有可登录的在职员工 No active staff member for this sign-in');
    const role = staff.role === 'store_manager' ? 'store_manager' : 'staff';
    const issued = await this.deps.tokens.issue({ corpId: staff.corpId, role, name, staffId: staff.id });
    return { token: issued.token, staff };
  }
}
