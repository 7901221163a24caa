/**
 * The signed-in staff member's day (`/api/me…`, used by the phone page /m) and the manager / HQ view of tasks.
 * "Today" is the store's local date at the injected clock's now.
 */
import { z } from 'zod';
import { ROLES, type Principal } from '../auth/index.ts';
import { ForbiddenError } from '../errors.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { localDate as localDay } from '../shared/local-date.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { Scope } from '../shared/scope.ts';
import type { StaffTaskDto, StaffTaskRepository } from './staff-task.repository.ts';

/** Names shown per task; the count always covers every contact. */
const CONTACT_NAMES_PER_TASK = 50;

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'must be a real calendar date');
const idParams = z.strictObject({ id: objectIdString });
const CLOSERS = ['staff', 'store_manager', 'hq_admin'] as const;

/** The store-local day, `YYYY-MM-DD` (the one way to name it: shared/local-date.ts). */
export function formatLocalDate(at: Date, timezone: string): string {
  return localDay(at, timezone);
}

/** The caller as a staff member, with their store; tokens not bound to a staff member are refused. */
async function me(principal: Principal | null, org: OrgModule) {
  if (!principal?.staffId || !principal.corpId) throw new ForbiddenError('此令牌未绑定店员 This token is not bound to a staff member');
  const scope: Scope = { corpId: principal.corpId, storeIds: null };
  const staff = await org.getStaff(scope, principal.staffId);
  const store = await org.getStore(scope, staff.storeId);
  return { staff, store, scope: { corpId: principal.corpId, storeIds: [staff.storeId] } as Scope };
}

/** Tasks with their contacts' display names and masked phones (at most 50 names per task, plus the count). */
async function withContacts(tasks: Pick<StaffTaskRepository, 'contactSummaries'>, scope: Scope, staffId: string, list: StaffTaskDto[]) {
  const names = await tasks.contactSummaries(scope, staffId, list.map((t) => t.contactIds), CONTACT_NAMES_PER_TASK);
  return list.map(({ contactIds, ...t }) => ({
    ...t,
    contacts: {
      count: contactIds.length,
      items: contactIds.slice(0, CONTACT_NAMES_PER_TASK).flatMap((id) => names.get(id) ?? []),
    },
  }));
}

export function staffTaskRoutes(deps: { tasks: StaffTaskRepository; org: OrgModule; clock: Clock }): RouteDef[] {
  const { tasks, org, clock } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/me',
      tag: 'tasks',
      summary: '当前用户 The signed-in caller: role, corp, and for tokens bound to a staff member or store their staff, store and store-local today (else null)',
      roles: ROLES,
      async handler(_input, { principal }) {
        const p = principal!;
        // The console (/hq…) asks every role who is signed in; tokens not bound to a staff member answer with nulls there.
        const corp = p.corpId ? ((await org.listCorps()).find((c) => c.corpId === p.corpId) ?? null) : null;
        const corpOut = corp ? { corpId: corp.corpId, name: corp.name } : null;
        if (!p.staffId || !p.corpId) {
          const store = p.storeId && p.corpId ? await org.findStore(p.corpId, p.storeId) : null;
          return { staff: null, store: store ? { id: store.id, name: store.name, city: store.city, timezone: store.timezone } : null, role: p.role, corp: corpOut, today: store ? formatLocalDate(clock.now(), store.timezone) : null };
        }
        const { staff, store } = await me(principal, org);
        return {
          staff: { id: staff.id, userId: staff.userId, name: staff.name, role: staff.role },
          store: { id: store.id, name: store.name, city: store.city, timezone: store.timezone },
          role: p.role,
          corp: corpOut,
          today: formatLocalDate(clock.now(), store.timezone),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me/tasks',
      tag: 'tasks',
      summary: '我的任务 The signed-in staff member’s tasks for a store-local day (default today): open first, then done / skipped',
      roles: ROLES,
      query: z.strictObject({ date: localDate.optional() }),
      async handler({ query }, { principal }) {
        const { staff, store, scope } = await me(principal, org);
        const date = query.date ?? formatLocalDate(clock.now(), store.timezone);
        const list = await tasks.listForStaff(scope, staff.id, date);
        return { date, timezone: store.timezone, items: await withContacts(tasks, scope, staff.id, list) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/me/tasks/:id/done',
      tag: 'tasks',
      summary: '完成任务 Mark a task done (own tasks; the store manager of its store and HQ: any)',
      roles: CLOSERS,
      params: idParams,
      query: z.strictObject({ ...corpIdQuery }),
      scoped: true,
      async handler({ params }, { principal, scope }) {
        return tasks.complete(scope, params.id, principal);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/me/tasks/:id/skip',
      tag: 'tasks',
      summary: '跳过任务 Skip a task with a reason (own tasks; the store manager of its store and HQ: any)',
      roles: CLOSERS,
      params: idParams,
      query: z.strictObject({ ...corpIdQuery }),
      body: z.strictObject({ reason: z.string().trim().min(1, 'a reason is required').max(200) }),
      scoped: true,
      async handler({ params, body }, { principal, scope }) {
        return tasks.skip(scope, params.id, body.reason, principal);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tasks',
      tag: 'tasks',
      summary: '门店任务 Tasks of a store-local day across the caller’s stores (store managers: their store; HQ: any)',
      roles: ['hq_admin', 'store_manager'],
      query: z.strictObject({ ...corpIdQuery, storeId: objectIdString.optional(), staffId: objectIdString.optional(), date: localDate.optional() }),
      scoped: true,
      async handler({ query }, { scope }) {
        const date = query.date ?? (await defaultDate(org, clock, scope, query.storeId));
        const items = await tasks.list(scope, { localDate: date, storeId: query.storeId, staffId: query.staffId });
        const summary = { total: items.length, open: 0, done: 0, skipped: 0 };
        for (const t of items) summary[t.status] += 1;
        return { date, summary, items };
      },
    }),
  ];
}

/** Today in the named store's zone, else in the caller's only store's zone, else in the corp's zone. */
async function defaultDate(org: OrgModule, clock: Clock, scope: Scope, storeId: string | undefined): Promise<string> {
  const only = storeId ?? (scope.storeIds?.length === 1 ? scope.storeIds[0] : undefined);
  let timezone: string | undefined;
  if (only) timezone = (await org.getStore(scope, only)).timezone;
  else timezone = (await org.listCorps()).find((c) => c.corpId === scope.corpId)?.timezone;
  return formatLocalDate(clock.now(), timezone ?? 'Asia/Shanghai');
}
