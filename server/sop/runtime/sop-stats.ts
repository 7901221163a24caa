/** Execution numbers for HQ: touches by status and skip/defer reason, per store and staff; runs by status. */
import type { SopLedger } from '../ledger/index.ts';
import type { Scope } from '../../shared/scope.ts';

export async function sopStats(services: { ledger: Pick<SopLedger, 'touches' | 'runs'> }, scope: Scope, sopId: string) {
  const [{ byStatus, byStore, byStaff }, runs] = await Promise.all([services.ledger.touches.countsForSop(scope, sopId), services.ledger.runs.countsForSop(scope, sopId)]);
  const pivot = <K extends string>(rows: Array<{ _id: Record<K, string | null> & { status: string }; n: number }>, key: K) => {
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const id = r._id[key] ?? 'none';
      const row = out.get(id) ?? {};
      row[r._id.status] = (row[r._id.status] ?? 0) + r.n;
      out.set(id, row);
    }
    return [...out.entries()].map(([id, counts]) => ({ [key]: id, ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) }));
  };
  return {
    sopId,
    touches: byStatus.map((r) => ({ status: r._id.status, reason: r._id.reason, count: r.n })),
    byStore: pivot(byStore, 'storeId'),
    byStaff: pivot(byStaff, 'staffId'),
    runs: Object.fromEntries(runs.map((r) => [r._id, r.n])),
  };
}
