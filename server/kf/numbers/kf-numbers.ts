/**
 * The 微信客服 numbers over time: days the nightly job rolled up are read from kf_stats_daily, today and any day
 * not rolled up (or rolled up in another zone) are computed live from the sessions. Both paths run the same
 * computation (`computeDays`), so a rolled-up day reads exactly as it did live when it was computed.
 */
import { BadRequestError } from '../../errors.ts';
import type { Clock } from '../../shared/clock.ts';
import { addLocalDays, localDate } from '../../shared/local-date.ts';
import { resolveLocal } from '../../shared/local-time.ts';
import { FCR_WINDOW_HOURS, judgeFirstContact, sessionCategories } from '../session/kf-fcr.ts';
import type { KfSessionRepository, KfStatsSessionDto } from '../session/kf-session.repository.ts';
import type { KfStatsCounts } from '../session/kf-stats-counts.ts';
import { addCounts, groupCounts, rowOf, rowsOf, zeroCounts, type KfStatsGroup, type KfStatsRow } from '../session/kf-stats.ts';
import type { KfStatsDay, KfStatsDayRepository } from './kf-stats-day.repository.ts';

export type KfNumbersDeps = {
  sessions: Pick<KfSessionRepository, 'forStats' | 'corpsWithSessionsSince'>;
  days: KfStatsDayRepository;
  /** `entryId@version` → the category that version had. */
  versionCategories(corpId: string, entryIds: readonly string[]): Promise<Map<string, string>>;
  /** The corp's zone (its settings, else Asia/Shanghai). */
  timeZoneOf(corpId: string): Promise<string>;
  clock: Clock;
  /** A live computation reads at most this many sessions; more is reported as truncated. */
  sessionLimit: number;
};

export type KfStatsQuery = { from?: string; to?: string; by: KfStatsGroup; timeZone?: string };
export type KfStatsResult = {
  from: string;
  to: string;
  timeZone: string;
  rows: KfStatsRow[];
  truncated: boolean;
  /** Where each day came from: the nightly rollup or computed now. */
  days: { rollup: string[]; live: string[] };
  /** Sessions ended after this instant are not judged for first-contact resolution yet. */
  fcrJudgedBefore: Date;
};

type DayGroups = { accounts: Map<string, KfStatsCounts>; agents: Map<string, KfStatsCounts> };

const HOUR = 3_600_000;
/** The nightly job recomputes this many past days, so first-contact verdicts (48 h after the end) settle. */
export const ROLLUP_DAYS = 3;
/** The default period of the numbers: the last 7 local days, today included. */
const DEFAULT_DAYS = 7;
/** A live computation reads the sessions of every day not rolled up: the period is bounded. */
const MAX_DAYS = 400;

const midnight = (day: string, timeZone: string): Date => {
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return resolveLocal({ year, month, day: d }, 0, timeZone);
};

function daysOf(fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  for (let d = fromDay; d < toDay; d = addLocalDays(d, 1)) out.push(d);
  return out;
}

/** Consecutive days as [from, to) ranges. */
function ranges(days: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && last[1] === d) last[1] = addLocalDays(d, 1);
    else out.push([d, addLocalDays(d, 1)]);
  }
  return out;
}

function sum(groups: Iterable<Map<string, KfStatsCounts>>): Map<string, KfStatsCounts> {
  const out = new Map<string, KfStatsCounts>();
  for (const g of groups) for (const [key, c] of g) out.set(key, addCounts(out.get(key) ?? zeroCounts(), c));
  return out;
}

export class KfNumbers {
  constructor(private readonly deps: KfNumbersDeps) {}

  async stats(corpId: string, q: KfStatsQuery): Promise<KfStatsResult> {
    const now = this.deps.clock.now();
    const timeZone = q.timeZone ?? (await this.deps.timeZoneOf(corpId));
    const today = localDate(now, timeZone);
    const to = q.to ?? addLocalDays(today, 1);
    const from = q.from ?? addLocalDays(to, -DEFAULT_DAYS);
    if (!(from < to)) throw new BadRequestError('from 须早于 to from must be before to');
    if (from < addLocalDays(to, -MAX_DAYS)) throw new BadRequestError(`一次最多查询 ${MAX_DAYS} 天 At most ${MAX_DAYS} days at a time`);
    // Today is never read from a rollup: it is still happening.
    const rolled = await this.deps.days.between(corpId, from, to < today ? to : today, timeZone);
    const byDay = new Map<string, DayGroups>(rolled.map((d) => [d.day, d]));
    const missing = daysOf(from, to).filter((d) => !byDay.has(d));
    let truncated = rolled.some((d) => d.truncated);
    for (const [a, b] of ranges(missing)) {
      const live = await this.computeDays(corpId, a, b, timeZone, now);
      truncated ||= live.truncated;
      for (const [day, groups] of live.days) byDay.set(day, groups);
    }
    const days = [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b));
    let rows: KfStatsRow[];
    if (q.by === 'day') rows = days.map(([day, g]) => rowOf(day, [...g.accounts.values()].reduce(addCounts, zeroCounts()))).filter((r) => r.sessions > 0);
    else rows = rowsOf(sum(days.map(([, g]) => (q.by === 'account' ? g.accounts : g.agents))));
    return { from, to, timeZone, rows, truncated, days: { rollup: rolled.map((d) => d.day), live: missing }, fcrJudgedBefore: new Date(now.getTime() - FCR_WINDOW_HOURS * HOUR) };
  }

  /** Computes one past local day of the corp (in its zone) and replaces its rollup. */
  async rollupDay(corpId: string, day: string): Promise<KfStatsDay> {
    const now = this.deps.clock.now();
    const timeZone = await this.deps.timeZoneOf(corpId);
    if (day >= localDate(now, timeZone)) throw new RangeError(`kf rollup: ${day} has not ended in ${timeZone}`);
    const live = await this.computeDays(corpId, day, addLocalDays(day, 1), timeZone, now);
    const groups = live.days.get(day) ?? { accounts: new Map(), agents: new Map() };
    const rollup: KfStatsDay = { day, timeZone, ...groups, truncated: live.truncated, computedAt: now };
    await this.deps.days.replace(corpId, rollup);
    return rollup;
  }

  /** The nightly run for one corp: yesterday and the days before it whose first-contact verdicts were still open. */
  async rollupRecent(corpId: string): Promise<string[]> {
    const today = localDate(this.deps.clock.now(), await this.deps.timeZoneOf(corpId));
    const days = Array.from({ length: ROLLUP_DAYS }, (_, i) => addLocalDays(today, i - ROLLUP_DAYS));
    for (const day of days) await this.rollupDay(corpId, day);
    return days;
  }

  /** Corps with sessions in the days the nightly run recomputes (a day of margin for any zone). */
  corpsToRollUp(): Promise<string[]> {
    return this.deps.sessions.corpsWithSessionsSince(new Date(this.deps.clock.now().getTime() - (ROLLUP_DAYS + 1) * 24 * HOUR));
  }

  /**
   * Counts per local day and kf account / servicer of the sessions started in [fromDay, toDay). Follow-ups
   * (sessions started up to 48 h after one of these ended) are read too, for the first-contact verdicts.
   */
  private async computeDays(corpId: string, fromDay: string, toDay: string, timeZone: string, now: Date): Promise<{ days: Map<string, DayGroups>; truncated: boolean }> {
    const { sessionLimit } = this.deps;
    const to = midnight(toDay, timeZone);
    const counted = await this.deps.sessions.forStats(corpId, midnight(fromDay, timeZone), to, sessionLimit + 1);
    const truncated = counted.length > sessionLimit;
    const inPeriod = counted.slice(0, sessionLimit);
    const lastEnd = inPeriod.reduce((max, s) => Math.max(max, s.endedAt?.getTime() ?? 0), 0);
    const horizon = new Date(Math.min(now.getTime(), lastEnd + FCR_WINDOW_HOURS * HOUR) + 1);
    const later = horizon > to ? await this.deps.sessions.forStats(corpId, to, horizon, sessionLimit) : [];
    const all: KfStatsSessionDto[] = [...inPeriod, ...later];
    const entryIds = [...new Set(all.flatMap((s) => s.answered.map((ref) => ref.slice(0, ref.lastIndexOf('@')))))];
    const categoryOf = await this.deps.versionCategories(corpId, entryIds);
    const verdicts = judgeFirstContact(
      all.map((s) => ({ id: s.id, externalUserId: s.externalUserId, startedAt: s.startedAt, endedAt: s.endedAt, categories: sessionCategories(s.category, s.answered.map((ref) => categoryOf.get(ref) ?? '')) })),
      now,
    );
    const byDay = new Map<string, typeof inPeriod>();
    for (const s of inPeriod) {
      const day = localDate(s.startedAt, timeZone);
      const list = byDay.get(day);
      if (list) list.push(s);
      else byDay.set(day, [s]);
    }
    const days = new Map<string, DayGroups>();
    for (const [day, list] of byDay) {
      const judged = list.map((s) => ({ ...s, fcr: verdicts.get(s.id) ?? null }));
      days.set(day, { accounts: groupCounts(judged, 'account', timeZone), agents: groupCounts(judged, 'agent', timeZone) });
    }
    return { days, truncated };
  }
}
