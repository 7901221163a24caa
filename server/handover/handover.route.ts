/**
 * Customer handover API: HQ for any member, store managers for the members of their store (a member or target of
 * another store is a 404). Results arrive by polling (scheduled `pollDue`, or `POST …/poll` now) and by the
 * transfer_fail callback.
 */
import { z } from 'zod';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import { HANDOVER_KINDS } from './handover.schema.ts';
import type { HandoverModule } from './handover.module.ts';

const MANAGERS = ['hq_admin', 'store_manager'] as const;
const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });

export function handoverRoutes(deps: { handover: HandoverModule }): RouteDef[] {
  const { handover } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/api/handovers',
      tag: 'handover',
      summary: '客户继承 Hand a member’s customers (and groups) over: on_job 在职继承 or resigned 离职继承',
      roles: MANAGERS,
      scoped: true,
      query: corpOnly,
      body: z
        .strictObject({
          kind: z.enum(HANDOVER_KINDS),
          fromStaffId: objectIdString,
          toStaffId: objectIdString.optional(),
          targets: z.array(z.strictObject({ contactId: objectIdString, toStaffId: objectIdString })).max(10_000).optional(),
          includeGroups: z.boolean().default(false),
          message: z.string().min(1).max(200).optional(),
        })
        .refine((b) => b.toStaffId || b.targets?.length, { message: '请给出 toStaffId 或 targets Give toStaffId or targets' }),
      status: 201,
      async handler({ body }, { principal, scope }) {
        return handover.create(scope, body, principal.tokenId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/handovers',
      tag: 'handover',
      summary: '继承记录 Handovers, newest first',
      roles: MANAGERS,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope }) {
        const rows = await handover.list(scope);
        return { items: rows.map((r) => ({ id: String(r._id), kind: r.kind, status: r.status, fromStaffId: r.fromStaffId, storeId: r.storeId, createdAt: r.createdAt, finishedAt: r.finishedAt ?? null })) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/handovers/:id',
      tag: 'handover',
      summary: '继承报告 What moved and what failed (refused, takeover limit, 90-day limit), per customer and group',
      roles: MANAGERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        return handover.report(scope, params.id);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/handovers/:id/poll',
      tag: 'handover',
      summary: '查询接替结果 Ask WeCom for the results of this handover now',
      roles: MANAGERS,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        return handover.pollNow(scope, params.id);
      },
    }),
  ];
}
