/**
 * The nightly rollup of one store-local day: the day's touches (by staff member, status and reason) and staff
 * tasks (by status), written as one row per staff member. Recomputed whole, so running it twice is harmless.
 */
import type { Clock } from '../shared/clock.ts';
import type { DailyRepository, RollupCounts } from './daily.repository.ts';

type Counts = RollupCounts;
type StoreDay = { corpId: string; storeId: string; localDate: string };

/** What a rollup reads: the day's touches (the SOP ledger) and tasks (the tasks module), and where it writes. */
export type RollupDeps = {
  daily: Pick<DailyRepository, 'replaceRollup'>;
  touches: { ofStoreDay(corpId: string, storeId: string, localDate: string): Promise<Array<{ staffId?: string | null; status: string; reason?: string | null }>> };
  tasks: { ofStoreDay(corpId: string, storeId: string, localDate: string): Promise<Array<{ staffId?: string | null; status: string }>> };
  clock: Clock;
};

const empty = (): Counts => ({ touches: { total: 0, sent: 0, failed: 0, skipped: 0, pending: 0, reasons: {} }, tasks: { total: 0, done: 0, skipped: 0, open: 0 } });

export async function rollupStoreDay(services: RollupDeps, day: StoreDay): Promise<number> {
  const { corpId, storeId, localDate } = day;
  const [touches, tasks] = await Promise.all([
    services.touches.ofStoreDay(corpId, storeId, localDate),
    services.tasks.ofStoreDay(corpId, storeId, localDate),
  ]);
  const rows = new Map<string, Counts>();
  const of = (staffId: string | null | undefined) => rows.get(staffId ?? '') ?? rows.set(staffId ?? '', empty()).get(staffId ?? '')!;
  for (const t of touches) {
    const c = of(t.staffId).touches;
    c.total++;
    if (t.status === 'sent') c.sent++;
    else if (t.status === 'failed') c.failed++;
    else if (t.status === 'skipped') c.skipped++;
    else c.pending++;
    if (t.reason) c.reasons[t.reason] = (c.reasons[t.reason] ?? 0) + 1;
  }
  for (const t of tasks) {
    const c = of(t.staffId).tasks;
    c.total++;
    if (t.status === 'done') c.done++;
    else if (t.status === 'skipped') c.skipped++;
    else c.open++;
  }
  await services.daily.replaceRollup(day, rows, services.clock.now());
  return rows.size;
}
