/**
 * Which daily work of which store is due now, in each store's own time zone: the task digest from 09:00 until
 * noon (a scheduler that was down at 09:00 still sends it in the morning, never in the evening), and the rollup
 * of the previous local day from 02:00. A claim is a row under a unique key, so with several scheduler processes
 * each piece of work is claimed exactly once; the caller hands what it claimed to agenda.
 */
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { addLocalDays, localDate } from '../shared/local-date.ts';
import { localTimeOfDay } from '../shared/local-time.ts';
import type { DailyWork } from './daily-run.schema.ts';
import type { DailyRepository } from './daily.repository.ts';

/** What claiming reads and writes: every store's zone, the claims, and the time. */
export type ClaimDeps = { daily: Pick<DailyRepository, 'claim'>; org: Pick<OrgModule, 'storeZonesAcrossCorps'>; clock: Clock };

const HOUR = 3_600_000;
/** [from, until) in local time, and the day the work is about relative to today. */
const WINDOWS: Record<DailyWork, { from: number; until: number; dayOffset: number }> = {
  task_digest: { from: 9 * HOUR, until: 12 * HOUR, dayOffset: 0 },
  sop_rollup: { from: 2 * HOUR, until: 24 * HOUR, dayOffset: -1 },
};

export type DailyWorkItem = { corpId: string; storeId: string; work: DailyWork; localDate: string };

/** The work due at `now` for a store in `tz` (pure). */
export function dueDailyWork(now: Date, tz: string): Array<{ work: DailyWork; localDate: string }> {
  const minute = localTimeOfDay(now, tz);
  const today = localDate(now, tz);
  return (Object.keys(WINDOWS) as DailyWork[]).filter((w) => minute >= WINDOWS[w].from && minute < WINDOWS[w].until).map((work) => ({ work, localDate: addLocalDays(today, WINDOWS[work].dayOffset) }));
}

/** Claims every piece of daily work due now that no process has claimed yet; returns what this caller won. */
export async function claimDailyWork(services: ClaimDeps, owner: string): Promise<DailyWorkItem[]> {
  const now = services.clock.now();
  const stores = await services.org.storeZonesAcrossCorps();
  const won: DailyWorkItem[] = [];
  for (const store of stores) {
    for (const due of dueDailyWork(now, store.timezone)) {
      const item = { corpId: store.corpId, storeId: store.storeId, ...due };
      if (await services.daily.claim(item, owner, now)) won.push(item);
    }
  }
  return won;
}
