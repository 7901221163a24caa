/**
 * Execution across every SOP for a range of store-local days (the HQ page /hq): completion of staff tasks by
 * region → store → staff, and touches by status and reason per store. HQ admins and marketers see the corp,
 * a store manager their store. The database counts; `execution-stats.ts` shapes the counts.
 */
import { z } from 'zod';
import type { DailyModule } from '../daily/index.ts';
import { corpIdQuery } from '../http/corp-scope.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { zoneOf, type OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { TasksModule } from '../tasks/index.ts';
import { completionTree, touchesByStore, type DeferralCountRow, type TaskCountRow, type TouchCountRow } from './execution-stats.ts';
import type { SopLedger } from './ledger/index.ts';
import { localDate } from '../shared/local-date.ts';

/** What the execution reports read: stores and staff, task and touch counts, the nightly rollups, the clock. */
export type ExecutionRouteDeps = {
  org: Pick<OrgModule, 'listStores' | 'listStaff' | 'getStore' | 'timezoneOf'>;
  tasks: Pick<TasksModule, 'countsByStaff'>;
  ledger: { touches: Pick<SopLedger['touches'], 'countsByDay' | 'dueBacklog'> };
  daily: Pick<DailyModule, 'readRollups'>;
  /** The corp's acknowledged callbacks not applied yet, by priority (the channels' inbox). */
  inboxBacklog(corpId: string): Promise<Array<{ priority: number; n: number; oldestAgeS: number }>>;
  clock: Clock;
};

/** The default range: the last 7 days up to today. */
const DEFAULT_DAYS = 7;
/** Longer ranges are refused so a report stays a bounded scan. */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real calendar date');

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const shiftDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

const query = z
  .strictObject({ ...corpIdQuery, from: day.optional(), to: day.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '开始日期不能晚于结束日期 From must not be after to', path: ['from'] })
  .refine((q) => !q.from || !q.to || daysBetween(q.from, q.to) < MAX_DAYS, { message: `最多 ${MAX_DAYS} 天 At most ${MAX_DAYS} days`, path: ['to'] });

/** The caller's "today": their only store's zone, else the corp's zone. */
async function timezoneOf(deps: ExecutionRouteDeps, scope: Scope): Promise<string> {
  const only = scope.storeIds?.length === 1 ? scope.storeIds[0] : undefined;
  if (only) return zoneOf(await deps.org.getStore(scope, only));
  return deps.org.timezoneOf(scope);
}

export function executionRoutes(deps: ExecutionRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/sop-execution',
      tag: 'sop',
      summary: '执行总览 Execution of every SOP for store-local days: task completion by region, store and staff; touches by status and reason per store',
      roles: ['hq_admin', 'marketer', 'store_manager'],
      query,
      scoped: true,
      async handler({ query: q }, { scope }) {
        const timezone = await timezoneOf(deps, scope);
        const to = q.to ?? (q.from ? shiftDays(q.from, DEFAULT_DAYS - 1) : localDate(deps.clock.now(), timezone));
        const from = q.from ?? shiftDays(to, -(DEFAULT_DAYS - 1));
        const stores = await deps.org.listStores(scope);
        const staff = await deps.org.listStaff(scope);
        const [tasks, { touches, deferrals }] = await Promise.all([deps.tasks.countsByStaff(scope, from, to), deps.ledger.touches.countsByDay(scope, from, to)]);
        const taskRows: TaskCountRow[] = tasks;
        const touchRows: TouchCountRow[] = touches.map((r) => ({ storeId: r._id.storeId ?? null, status: r._id.status, reason: r._id.reason ?? null, n: r.n }));
        const deferralRows: DeferralCountRow[] = deferrals.map((r) => ({ storeId: r._id.storeId ?? null, reason: r._id.reason, n: r.n }));
        return {
          from,
          to,
          timezone,
          completion: completionTree(taskRows, stores, staff),
          touches: touchesByStore(touchRows, stores, deferralRows),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sop-execution/daily',
      tag: 'sop',
      summary: '每日执行汇总 Nightly rollups per store-local day and staff member: touches by status and reason, tasks by status (written at 02:00 store time for the day before)',
      roles: ['hq_admin', 'marketer', 'store_manager'],
      query: z
        .strictObject({ ...corpIdQuery, from: day, to: day, storeId: z.string().min(1).optional() })
        .refine((q) => q.from <= q.to, { message: '开始日期不能晚于结束日期 From must not be after to', path: ['from'] })
        .refine((q) => daysBetween(q.from, q.to) < MAX_DAYS, { message: `最多 ${MAX_DAYS} 天 At most ${MAX_DAYS} days`, path: ['to'] }),
      scoped: true,
      async handler({ query: q }, { scope }) {
        return { from: q.from, to: q.to, items: await deps.daily.readRollups(scope, { from: q.from, to: q.to, ...(q.storeId ? { storeId: q.storeId } : {}) }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sop-execution/backlog',
      tag: 'sop',
      summary: '积压 The queues now, as /metrics shows them: callbacks acknowledged and not applied yet (the corp; HQ roles only, callbacks belong to no store) and touches due and not sent (the caller\'s stores), with the age of the oldest of each',
      roles: ['hq_admin', 'marketer', 'store_manager'],
      query: z.strictObject({ ...corpIdQuery }),
      scoped: true,
      async handler(_input, { scope }) {
        const now = deps.clock.now();
        const [inbox, touches] = await Promise.all([scope.storeIds === null ? deps.inboxBacklog(scope.corpId) : null, deps.ledger.touches.dueBacklog(now, scope)]);
        return {
          at: now.toISOString(),
          inbox: inbox && { pending: inbox.reduce((n, r) => n + r.n, 0), oldestAgeS: Math.max(0, ...inbox.map((r) => r.oldestAgeS)), byPriority: inbox },
          touches: { due: touches.n, oldestAgeS: touches.oldestAgeS },
        };
      },
    }),
  ];
}
