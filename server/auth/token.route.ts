import { z } from 'zod';
import { BadRequestError, ForbiddenError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { objectIdString } from '../shared/object-id.ts';
import { pageQuery } from '../shared/pagination.ts';
import { ROLES } from '../shared/principal.ts';
import type { Scope } from '../shared/scope.ts';
import type { AuthModule } from './auth.module.ts';
import { daysFrom, latestExpiry, MAX_TOKEN_TTL_DAYS, TOKEN_TTL_DAYS } from './token-expiry.ts';

const issueBody = z
  .strictObject({
    role: z.enum(ROLES),
    name: z.string().min(1).max(64),
    staffId: objectIdString.optional(),
    expiresInDays: z.number().int().min(1).max(MAX_TOKEN_TTL_DAYS).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((b) => b.expiresInDays === undefined || b.expiresAt === undefined, { message: '有效期只能二选一 give expiresInDays or expiresAt, not both', path: ['expiresAt'] });

/** The staff members a store-level caller manages tokens for; null = every token of the corp. */
async function staffIdsOf(scope: Scope, org: OrgModule): Promise<string[] | null> {
  if (scope.storeIds === null) return null;
  return (await org.listStaff(scope)).map((s) => s.id);
}

function requestedExpiry(body: { expiresInDays?: number; expiresAt?: string }, now: Date): Date | undefined {
  if (body.expiresInDays !== undefined) return daysFrom(now, body.expiresInDays);
  if (body.expiresAt === undefined) return undefined;
  const at = new Date(body.expiresAt);
  if (at.getTime() <= now.getTime() || at.getTime() > latestExpiry(now).getTime()) {
    throw new BadRequestError(`过期时间须在未来 ${MAX_TOKEN_TTL_DAYS} 天内 expiresAt must be in the next ${MAX_TOKEN_TTL_DAYS} days`, [{ path: 'body.expiresAt', message: `must be after now and within ${MAX_TOKEN_TTL_DAYS} days` }]);
  }
  return at;
}

export function tokenRoutes(deps: { auth: AuthModule; org: OrgModule; clock: Clock }): RouteDef[] {
  const { auth, org, clock } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      tag: 'auth',
      summary: `签发令牌 Issue an API token (the secret is shown once; stored hashed). Lifetime: expiresInDays or expiresAt (≤ ${MAX_TOKEN_TTL_DAYS} days), else the role's default (${Object.entries(TOKEN_TTL_DAYS).map(([r, d]) => `${r} ${d}`).join(', ')} days)`,
      roles: ['hq_admin', 'store_manager'],
      query: z.strictObject({ ...corpIdQuery }),
      body: issueBody,
      status: 201,
      scoped: true,
      async handler({ body }, { principal, scope }) {
        if (principal.role === 'store_manager') {
          if (body.role !== 'staff' || !body.staffId) throw new ForbiddenError('店长只能签发导购令牌 store managers issue staff tokens only');
          await org.getStaff(scope, body.staffId);
        }
        const expiresAt = requestedExpiry(body, clock.now());
        return auth.tokens.issue({ corpId: scope.corpId, role: body.role, name: body.name, staffId: body.staffId, ...(expiresAt ? { expiresAt } : {}) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      tag: 'auth',
      summary: '令牌列表 Tokens newest first: role, staff, name, created, expires, last used, revoked (never the secret); store managers see their staff’s',
      roles: ['hq_admin', 'store_manager'],
      query: z.strictObject({ ...corpIdQuery, ...pageQuery, staffId: objectIdString.optional() }),
      scoped: true,
      async handler({ query }, { scope }) {
        const mine = await staffIdsOf(scope, org);
        const staffIds = query.staffId ? (mine === null || mine.includes(query.staffId) ? [query.staffId] : []) : mine;
        return auth.tokens.list(scope.corpId, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}), ...(staffIds ? { staffIds } : {}) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tokens/:id',
      tag: 'auth',
      summary: '吊销令牌 Revoke a token (store managers: their staff’s)',
      roles: ['hq_admin', 'store_manager'],
      params: z.strictObject({ id: objectIdString }),
      query: z.strictObject({ ...corpIdQuery }),
      scoped: true,
      async handler({ params }, { scope }) {
        await auth.tokens.revoke(scope.corpId, params.id, (await staffIdsOf(scope, org)) ?? undefined);
      },
    }),
  ];
}
