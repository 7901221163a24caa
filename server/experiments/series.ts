/**
 * The dashboard chart: per metric and arm, the cumulative units, conversions and rate at the end of each
 * local day (the corp's zone), from the first exposure's day to the day the last window closes (or today).
 */
import { addLocalDays, localDate } from '../shared/local-date.ts';
import { exposureRange, type AttributedUnit } from './outcomes.ts';

const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 900_000;
/** A chart of more than this many days shows the most recent ones. */
export const MAX_SERIES_DAYS = 400;

export type ArmSeries = { arm: string; users: number[]; conversions: number[]; rate: Array<number | null> };
export type Series = { timezone: string; days: string[]; metrics: Record<string, ArmSeries[]> };

/** Local days from `first` to `last` inclusive (YYYY-MM-DD), at most MAX_SERIES_DAYS, the latest kept. */
function dayRange(first: Date, last: Date, tz: string): string[] {
  const end = localDate(last, tz);
  const days: string[] = [];
  for (let d = localDate(first, tz); d <= end; d = addLocalDays(d, 1)) days.push(d);
  return days.slice(-MAX_SERIES_DAYS);
}

/** Running totals of a day-count map over `days` (days before the first shown day count from the start). */
function cumulative(days: readonly string[], counts: Map<string, number>): number[] {
  const first = days[0] ?? '';
  let total = [...counts].filter(([d]) => d < first).reduce((s, [, n]) => s + n, 0);
  return days.map((d) => (total += counts.get(d) ?? 0));
}

export function cumulativeSeries(units: readonly AttributedUnit[], arms: readonly string[], metrics: readonly string[], opts: { timezone: string; now: Date; windowDays: number }): Series {
  const { timezone: tz } = opts;
  if (!units.length) return { timezone: tz, days: [], metrics: Object.fromEntries(metrics.map((m) => [m, []])) };
  const { first: firstExposure, last } = exposureRange(units);
  const lastWindow = last + opts.windowDays * DAY_MS - 1;
  const days = dayRange(new Date(firstExposure), new Date(Math.max(firstExposure, Math.min(opts.now.getTime(), lastWindow))), tz);
  // Zone offsets and their changes fall on quarter hours, so one lookup serves a whole quarter hour.
  const memo = new Map<number, string>();
  const dayOf = (at: Date) => {
    const quarter = Math.floor(at.getTime() / QUARTER_HOUR_MS);
    let d = memo.get(quarter);
    if (d === undefined) memo.set(quarter, (d = localDate(at, tz)));
    return d;
  };
  const bump = (map: Map<string, number>, at: Date) => {
    const d = dayOf(at);
    map.set(d, (map.get(d) ?? 0) + 1);
  };
  const out: Record<string, ArmSeries[]> = {};
  for (const metric of metrics) {
    out[metric] = arms.map((arm) => {
      const exposed = new Map<string, number>();
      const converted = new Map<string, number>();
      for (const u of units) {
        if (u.arm !== arm) continue;
        bump(exposed, u.exposedAt);
        const at = u.outcomes[metric];
        if (at) bump(converted, at);
      }
      const users = cumulative(days, exposed);
      const conversions = cumulative(days, converted);
      return { arm, users, conversions, rate: users.map((n, i) => (n ? (conversions[i] ?? 0) / n : null)) };
    });
  }
  return { timezone: tz, days, metrics: out };
}
