/**
 * Who is calling, and what they may see. The roles and the principal live here, beside Scope, because the HTTP
 * layer resolves them for every route; the auth face (server/auth/index.ts) re-exports them for the domains. The bootstrap admin (SIYU_ADMIN_TOKEN) reads every corp; every other
 * token belongs to one corp, and store-level roles to one store.
 */
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Scope } from './scope.ts';

export const ROLES = ['hq_admin', 'marketer', 'store_manager', 'staff'] as const;
export type Role = (typeof ROLES)[number];

export type Principal = {
  tokenId: string;
  role: Role;
  /** null only for the bootstrap admin. */
  corpId: string | null;
  storeId: string | null;
  staffId: string | null;
};

export const CORP_WIDE_ROLES: readonly Role[] = ['hq_admin', 'marketer'];

/** The scope for reading `corpId` as this principal; another corp's data is reported as not found. */
export function scopeFor(p: Principal, corpId: string): Scope {
  if (p.corpId !== null && p.corpId !== corpId) throw new NotFoundError('corp', corpId);
  if (CORP_WIDE_ROLES.includes(p.role)) return { corpId, storeIds: null };
  if (!p.storeId) throw new ForbiddenError('此令牌未绑定门店 This token is not bound to a store');
  return { corpId, storeIds: [p.storeId] };
}

export function requireRole(p: Principal, roles: readonly Role[]): void {
  if (!roles.includes(p.role)) throw new ForbiddenError(`需要以下角色之一：${roles.join('、')} Requires one of: ${roles.join(', ')}`);
}
