/**
 * Tickets over HTTP: 「转工单」 on a desk session, the owner's open tickets for /m (`/api/me/tickets`), and the
 * state moves. The owner moves their own ticket; HQ admins may move any (a stuck ticket, a staff member who left).
 */
import { z } from 'zod';
import { ROLES } from '../../auth/index.ts';
import { BadRequestError, ForbiddenError } from '../../errors.ts';
import { corpIdQuery } from '../../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../../http/route.ts';
import type { OrgModule } from '../../org/index.ts';
import { objectIdString } from '../../shared/object-id.ts';
import type { KfModule } from '../kf.module.ts';
import { TICKET_STATES } from './kf-ticket.schema.ts';

export type KfTicketRouteDeps = { kf: KfModule; org: Pick<OrgModule, 'findStaff' | 'listStaff'> };

const corpOnly = z.strictObject({ ...corpIdQuery });
const idParams = z.strictObject({ id: objectIdString });

export function kfTicketRoutes(deps: KfTicketRouteDeps): RouteDef[] {
  const { kf, org } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/kf/desk/ticket-owners',
      tag: 'kf',
      summary: '工单负责人 Who a ticket can go to: the active staff of the caller’s stores (the whole corp for HQ)',
      roles: ROLES,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope }) {
        const staff = await org.listStaff(scope, { status: 'active' });
        return { items: staff.map((s) => ({ id: s.id, name: s.name, userId: s.userId, storeId: s.storeId })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/kf/desk/sessions/:id/ticket',
      tag: 'kf',
      summary: '转工单 Create a follow-up ticket from a session: title, owner staff, due time',
      roles: ROLES,
      scoped: true,
      params: idParams,
      query: corpOnly,
      body: z.strictObject({ title: z.string().trim().min(1).max(100), ownerStaffId: objectIdString.optional(), dueAt: z.coerce.date() }),
      async handler({ params, body }, { scope, principal }) {
        // Without an owner the agent keeps the follow-up themself.
        const ownerId = body.ownerStaffId ?? principal.staffId;
        if (!ownerId) throw new BadRequestError('请指定负责人 Name the owner (ownerStaffId)');
        const owner = await org.findStaff(scope.corpId, ownerId);
        if (!owner || owner.status === 'resigned') throw new BadRequestError('负责人不是本企业在职员工 The owner is not an active staff member of this corp');
        return kf.tickets.create(scope.corpId, params.id, { title: body.title, ownerStaffId: owner.id, dueAt: body.dueAt }, principal.staffId ?? principal.tokenId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kf/desk/sessions/:id/tickets',
      tag: 'kf',
      summary: '会话的工单 The tickets raised from a session',
      roles: ROLES,
      scoped: true,
      params: idParams,
      query: corpOnly,
      async handler({ params }, { scope }) {
        return { items: await kf.tickets.ofSession(scope.corpId, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me/tickets',
      tag: 'kf',
      summary: '我的工单 The signed-in staff member’s open tickets, soonest due first',
      roles: ROLES,
      scoped: true,
      query: corpOnly,
      async handler(_input, { scope, principal }) {
        if (!principal.staffId) throw new ForbiddenError('此令牌没有员工身份 This token is not bound to a staff member');
        return { items: await kf.tickets.openFor(scope.corpId, principal.staffId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/me/tickets/:id/move',
      tag: 'kf',
      summary: '工单流转 Move a ticket: assigned → handled → followed_up → closed (any open ticket may be closed)',
      roles: ROLES,
      scoped: true,
      params: idParams,
      query: corpOnly,
      body: z.strictObject({ to: z.enum(TICKET_STATES), note: z.string().trim().max(500).optional() }),
      async handler({ params, body }, { scope, principal }) {
        const ticket = await kf.tickets.get(scope.corpId, params.id);
        if (ticket.ownerStaffId !== principal.staffId && principal.role !== 'hq_admin') throw new ForbiddenError('只有负责人可以处理此工单 Only the owner can move this ticket');
        return kf.tickets.move(scope.corpId, params.id, body.to, principal.staffId ?? principal.tokenId, body.note);
      },
    }),
  ];
}
