import { z } from 'zod';
import { ForbiddenError } from '../errors.ts';
import { corpIdQuery, resolveScope } from '../http/corp-scope.ts';
import { defineRoute } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { ROLES } from './token.schema.ts';

export const tokenRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/tokens',
    tag: 'auth',
    summary: '签发令牌 Issue an API token (the secret is shown once; stored hashed)',
    roles: ['hq_admin', 'store_manager'],
    query: z.strictObject({ ...corpIdQuery }),
    body: z.strictObject({ role: z.enum(ROLES), name: z.string().min(1).max(64), staffId: objectIdString.optional() }),
    status: 201,
    async handler({ query, body }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      if (principal?.role === 'store_manager') {
        if (body.role !== 'staff' || !body.staffId) throw new ForbiddenError('store managers issue staff tokens only');
        await services.org.getStaff(scope, body.staffId);
      }
      return services.tokens.issue({ corpId: scope.corpId, role: body.role, name: body.name, staffId: body.staffId });
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/tokens/:id',
    tag: 'auth',
    summary: '吊销令牌 Revoke a token',
    roles: ['hq_admin'],
    params: z.strictObject({ id: objectIdString }),
    query: z.strictObject({ ...corpIdQuery }),
    async handler({ params, query }, { principal, services }) {
      const scope = await resolveScope(principal, query.corpId, services);
      await services.tokens.revoke(scope.corpId, params.id);
    },
  }),
];
