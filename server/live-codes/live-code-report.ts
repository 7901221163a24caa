/** Loads what the analytics need for a caller's scope and period, then computes them (live-code-analytics.ts). */
import { DateTime } from 'luxon';
import { BadRequestError } from '../errors.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { corpScope, type Scope } from '../shared/scope.ts';
import { computeAnalytics, type Analytics, type Deletion } from './live-code-analytics.ts';
import type { LiveCodeLedger } from './live-code-ledger.repository.ts';
import type { LiveCodeRepository } from './live-code.repository.ts';

export type ReportQuery = { from?: string; to?: string; liveCodeId?: string; channel?: string; timezone?: string };

export type LiveCodeReportDeps = {
  codes: Pick<LiveCodeRepository, 'list'>;
  ledger: Pick<LiveCodeLedger, 'listAdds' | 'addsOfContacts'>;
  org: Pick<OrgModule, 'timezoneOf' | 'listStores' | 'listStaff'>;
  /** The event log's ended relations (not transfers): the losses. */
  events: { friendDeletions(corpId: string, externalUserIds: readonly string[], since: Date): Promise<Deletion[]> };
  clock: Clock;
};

const MAX_DAYS = 366;

export async function liveCodeReport(d: LiveCodeReportDeps, scope: Scope, q: ReportQuery): Promise<Analytics> {
  // Days are the corp's days unless the caller names a zone (the report spans stores).
  const timezone = q.timezone ?? (await d.org.timezoneOf(scope));
  if (!DateTime.local().setZone(timezone).isValid) throw new BadRequestError(`未知时区 ${timezone} Unknown time zone ${timezone}`, [{ path: 'query.timezone', message: '须为 IANA 时区 An IANA zone' }]);
  const now = d.clock.now();
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const to = (q.to ? DateTime.fromISO(q.to, { zone: timezone }) : today).plus({ days: 1 });
  const from = q.from ? DateTime.fromISO(q.from, { zone: timezone }) : to.minus({ days: 30 });
  if (!from.isValid || !to.isValid || from >= to) throw new BadRequestError('开始日期须早于结束日期 From must be a date before to', [{ path: 'query.from', message: 'YYYY-MM-DD，不晚于 to YYYY-MM-DD, not after to' }]);
  if (to.diff(from, 'days').days > MAX_DAYS) throw new BadRequestError(`最多 ${MAX_DAYS} 天 At most ${MAX_DAYS} days`, [{ path: 'query.from', message: `时间段超过 ${MAX_DAYS} 天 Period longer than ${MAX_DAYS} days` }]);

  const codes = await d.codes.list(scope, q.channel ? { channel: q.channel } : {});
  const wanted = codes.filter((c) => !q.liveCodeId || c.id === q.liveCodeId);
  const range = { from: from.toJSDate(), to: to.toJSDate() };
  let adds = await d.ledger.listAdds(scope.corpId, { ...range, liveCodeIds: wanted.map((c) => c.id) });
  // Store-level callers count the adds made at their stores only.
  if (scope.storeIds) adds = adds.filter((a) => a.storeId != null && scope.storeIds!.includes(a.storeId));
  const contactIds = adds.map((a) => a.contactId);
  const [laterAdds, deletions, stores, staff] = await Promise.all([
    d.ledger.addsOfContacts(scope.corpId, contactIds, range.from),
    d.events.friendDeletions(scope.corpId, adds.map((a) => a.externalUserId), range.from),
    d.org.listStores(corpScope(scope.corpId)),
    d.org.listStaff(corpScope(scope.corpId)),
  ]);
  const codeNames = new Map(codes.map((c) => [c.id, c.name]));
  const storeNames = new Map(stores.map((s) => [s.id, s.name]));
  const staffNames = new Map(staff.map((s) => [s.userId, s.name]));
  return computeAnalytics({
    adds,
    laterAdds,
    deletions,
    ...range,
    now,
    timezone,
    labels: { code: (id) => codeNames.get(id) ?? id, store: (id) => storeNames.get(id) ?? id, staff: (u) => staffNames.get(u) ?? u },
  });
}
