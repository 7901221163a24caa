/**
 * The API face of `npx siyu setup`: the bootstrap admin (SIYU_ADMIN_TOKEN, the only caller bound to no corp)
 * sets up a corp, its first stores and its first HQ token. 201 when something was created, 200 when all was in
 * place already.
 */
import { ForbiddenError } from '../errors.ts';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import { setupSchema } from './setup.schema.ts';
import { runSetup, type SetupDeps } from './setup.service.ts';

export function setupRoutes(deps: SetupDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/setup',
      tag: 'org',
      summary: '初始化企业 Set up a corp: the corp, its first stores, an HQ token (bootstrap admin only; idempotent)',
      roles: ['hq_admin'],
      body: setupSchema,
      async handler({ body }, { principal }) {
        if (principal!.corpId !== null) throw new ForbiddenError('只有引导管理员（SIYU_ADMIN_TOKEN）可以初始化企业 Only the bootstrap admin (SIYU_ADMIN_TOKEN) may set up a corp');
        const result = await runSetup(deps, body);
        return reply(result.changed ? 201 : 200, result);
      },
    }),
  ];
}
