/** Execution numbers for HQ: touches by status and skip/defer reason, per store and staff; runs by status. */
import type { Services } from '../../services.ts';
import type { Scope } from '../../shared/scope.ts';

export async function sopStats(services: Services, scope: Scope, sopId: string) {
  const m = services.db.models;
  const storeMatch = scope.storeIds === null ? {} : { storeId: { $in: scope.storeIds } };
  const match = { corpId: scope.corpId, sopId, ...storeMatch };
  const [byStatus, byStore, byStaff, runs] = await Promise.all([
    m.Touch.aggregate<{ _id: { status: string; reason: string | null }; n: number }>([{ $match: match }, { $group: { _id: { status: '$status', reason: '$reason' }, n: { $sum: 1 } } }]),
    m.Touch.aggregate<{ _id: { storeId: string | null; status: string }; n: number }>([{ $match: match }, { $group: { _id: { storeId: '$storeId', status: '$status' }, n: { $sum: 1 } } }]),
    m.Touch.aggregate<{ _id: { staffId: string | null; status: string }; n: number }>([{ $match: match }, { $group: { _id: { staffId: '$staffId', status: '$status' }, n: { $sum: 1 } } }]),
    m.Enrollment.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: '$status', n: { $sum: 1 } } }]),
  ]);
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
