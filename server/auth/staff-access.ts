/** What ends when a staff member leaves: their API tokens and the sign-in links not yet used. */
import type { Modules } from '../modules.ts';
import { staffLogin } from './staff-login.route.ts';

export async function revokeStaffAccess(services: Modules, corpId: string, staffId: string): Promise<{ tokens: number; links: number }> {
  const tokens = await services.tokens.revokeForStaff(corpId, staffId);
  const links = await staffLogin(services).revokeLinksOf(corpId, staffId);
  return { tokens, links };
}
