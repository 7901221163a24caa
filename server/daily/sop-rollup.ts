/**
 * The nightly rollup of one store-local day: the day's touches (by staff member, status and reason) and staff
 * tasks (by status), written as one row per staff member. Recomputed whole, so running it twice is harmless.
 */
import type { Modules } from '../modules.ts';
import type { Scope } from '../shared/scope.ts';
import { storeFilter } from '../shared/scope.ts';

type Counts = { touches: { total: number; sent: number; failed: number; skipped: number; pending: number; reasons: Record<string, number> }; tasks: { total: number; done: number; skipped: number; open: number } };
const empty = (): Counts => ({ touches: { total: 0, sent: 0, failed: 0, skipped: 0, pending: 0, reasons: {} }, tasks: { total: 0, done: 0, skipped: 0, open: 0 } });

export async function rollupStoreDay(services: Modules, day: { corpId: string; storeId: string; localDate: string }): Promise<number> {
  const m = services.db.models;
  const { corpId, storeId, localDate } = day;
  const [touches, tasks] = await Promise.all([
    services.ledger.touches.ofStoreDay(corpId, storeId, localDate),
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
  const computedAt = services.clock.now();
  // Staff members without work that day lose their old row: the rollup describes the day as it is now.
  await m.SopRollup.deleteMany({ corpId, storeId, localDate, staffId: { $nin: [...rows.keys()] } });
  for (const [staffId, counts] of rows) {
    await m.SopRollup.updateOne({ corpId, storeId, localDate, staffId }, { $set: { ...counts, computedAt } }, { upsert: true });
  }
  return rows.size;
}

export type RollupRow = { storeId: string; staffId: string | null; localDate: string } & Counts;

/** Rollup rows of a date range (inclusive), within the caller's stores. */
export async function readRollups(services: Modules, scope: Scope, range: { from: string; to: string; storeId?: string }): Promise<RollupRow[]> {
  const rows = await services.db.models.SopRollup.find({ corpId: scope.corpId, localDate: { $gte: range.from, $lte: range.to }, ...storeFilter(scope), ...(range.storeId ? { storeId: range.storeId } : {}) })
    .sort({ localDate: 1, storeId: 1, staffId: 1 })
    .lean();
  return rows.map((r) => ({
    storeId: r.storeId,
    staffId: r.staffId || null,
    localDate: r.localDate,
    touches: { total: r.touches?.total ?? 0, sent: r.touches?.sent ?? 0, failed: r.touches?.failed ?? 0, skipped: r.touches?.skipped ?? 0, pending: r.touches?.pending ?? 0, reasons: plain(r.touches?.reasons) },
    tasks: { total: r.tasks?.total ?? 0, done: r.tasks?.done ?? 0, skipped: r.tasks?.skipped ?? 0, open: r.tasks?.open ?? 0 },
  }));
}

/** A mongoose Map read with `lean()` is a plain object; read through a document it is a Map. */
function plain(map: Map<string, number> | Record<string, number> | null | undefined): Record<string, number> {
  if (!map) return {};
  return map instanceof Map ? Object.fromEntries(map) : { ...map };
}
