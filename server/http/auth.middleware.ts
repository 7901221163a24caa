import type { Context } from 'koa';
import { UnauthenticatedError } from '../errors.ts';
import { requireRole, type Principal, type Role } from '../shared/principal.ts';

/** `Authorization: Bearer <token>` → Principal, or 401. */
export async function authenticate(ctx: Context, tokens: { authenticate(token: string): Promise<Principal> }): Promise<Principal> {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthenticatedError();
  const principal = await tokens.authenticate(match[1]);
  ctx.state.principal = principal;
  return principal;
}

export function authorize(principal: Principal, roles: readonly Role[]): void {
  requireRole(principal, roles);
}
