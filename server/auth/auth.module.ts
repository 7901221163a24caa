/**
 * The auth domain wired from its declared dependencies: API tokens, staff sign-in (OAuth code or one-time
 * link) and what ends when a member leaves. Other domains get this face (server/auth/index.ts).
 */
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuthModels } from './auth.models.ts';
import { StaffLoginLinkRepository } from './staff-login-link.repository.ts';
import { StaffLoginService, type StaffOAuth } from './staff-login.ts';
import { TokenRepository } from './token.repository.ts';
import { TokenService } from './token.service.ts';

export type AuthDeps = {
  models: Pick<AuthModels, 'Token' | 'StaffLoginLink'>;
  org: OrgModule;
  clock: Clock;
  /** SIYU_ADMIN_TOKEN: the bootstrap admin, config rather than a row. */
  adminToken: string | undefined;
  /** The default WeCom account's code resolver for staff OAuth sign-in; null when none is configured. */
  staffOAuth(): Promise<StaffOAuth | null>;
};

export type AuthModule = {
  tokens: TokenService;
  staffLogin: StaffLoginService;
  /** What ends when a staff member leaves: their API tokens and the sign-in links not yet used. */
  revokeStaffAccess(corpId: string, staffId: string): Promise<{ tokens: number; links: number }>;
};

export function createAuthModule(deps: AuthDeps): AuthModule {
  const tokens = new TokenService(new TokenRepository(deps.models), deps.org, deps.clock, deps.adminToken);
  const staffLogin = new StaffLoginService({ links: new StaffLoginLinkRepository(deps.models), org: deps.org, tokens, clock: deps.clock, staffOAuth: deps.staffOAuth });
  return {
    tokens,
    staffLogin,
    async revokeStaffAccess(corpId, staffId) {
      const revoked = await tokens.revokeForStaff(corpId, staffId);
      const links = await staffLogin.revokeLinksOf(corpId, staffId);
      return { tokens: revoked, links };
    },
  };
}
