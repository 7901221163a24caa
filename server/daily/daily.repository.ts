/**
 * The daily domain's collections: `daily_runs` (one claim per store, work and local day), `sop_rollups` (one
 * row per store, day and staff member) and `task_digests` (one card per staff member and day). Every query
 * carries the corp.
 */
import { isDuplicateKeyError } from '../errors.ts';
import type { Scope } from '../shared/scope.ts';
import { storeFilter } from '../shared/scope.ts';
import type { DailyModels } from './daily.models.ts';
import type { DailyWork } from './daily-run.schema.ts';

export type RollupCounts = { touches: { total: number; sent: number; failed: number; skipped: number; pending: number; reasons: Record<string, number> }; tasks: { total: number; done: number; skipped: number; open: number } };
export type RollupRow = { storeId: string; staffId: string | null; localDate: string } & RollupCounts;
export type DigestRow = { _id: unknown; staffUserId: string; open: number; counts: Record<string, number> };
export type DigestSettle = { status: 'sent'; vendorId?: string | null; sentAt: Date } | { status: 'unknown_user'; vendorId?: string | null } | { status: 'failed' | 'unknown_user'; error: { errcode: number | null; message: string } };

export class DailyRepository {
  constructor(private readonly models: DailyModels) {}

  /** Claims one piece of daily work; false when another process claimed it first (the key is unique). */
  async claim(item: { corpId: string; storeId: string; work: DailyWork; localDate: string }, owner: string, at: Date): Promise<boolean> {
    try {
      await this.models.DailyRun.create({ ...item, claimedBy: owner, claimedAt: at });
      return true;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return false;
    }
  }

  /** Replaces a store day's rollup rows: staff members without work that day lose their old row. */
  async replaceRollup(day: { corpId: string; storeId: string; localDate: string }, rows: ReadonlyMap<string, RollupCounts>, computedAt: Date): Promise<void> {
    const { corpId, storeId, localDate } = day;
    await this.models.SopRollup.deleteMany({ corpId, storeId, localDate, staffId: { $nin: [...rows.keys()] } });
    for (const [staffId, counts] of rows) {
      await this.models.SopRollup.updateOne({ corpId, storeId, localDate, staffId }, { $set: { ...counts, computedAt } }, { upsert: true });
    }
  }

  /** Rollup rows of a date range (inclusive), within the caller's stores. */
  async rollups(scope: Scope, range: { from: string; to: string; storeId?: string }): Promise<RollupRow[]> {
    const rows = await this.models.SopRollup.find({ corpId: scope.corpId, localDate: { $gte: range.from, $lte: range.to }, ...storeFilter(scope), ...(range.storeId ? { storeId: range.storeId } : {}) })
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

  /** Writes a staff member's card for the day once; a card already written (sent or not) is left as it is. */
  async planDigest(day: { corpId: string; storeId: string; localDate: string }, staff: { id: string; userId: string }, counts: Record<string, number>, open: number): Promise<void> {
    await this.models.TaskDigest.updateOne(
      { corpId: day.corpId, staffId: staff.id, localDate: day.localDate },
      { $setOnInsert: { storeId: day.storeId, staffUserId: staff.userId, counts, open, status: 'pending' } },
      { upsert: true },
    );
  }

  /** The store day's cards not sent yet. */
  async pendingDigests(day: { corpId: string; storeId: string; localDate: string }): Promise<DigestRow[]> {
    const rows = await this.models.TaskDigest.find({ corpId: day.corpId, storeId: day.storeId, localDate: day.localDate, status: 'pending' }).lean();
    return rows.map((r) => ({ _id: r._id, staffUserId: r.staffUserId, open: r.open, counts: plain(r.counts as Map<string, number> | Record<string, number> | null | undefined) }));
  }

  async settleDigest(corpId: string, id: unknown, outcome: DigestSettle): Promise<void> {
    await this.models.TaskDigest.updateOne({ _id: id, corpId }, { $set: outcome });
  }
}

/** A mongoose Map read with `lean()` is a plain object; read through a document it is a Map. */
function plain(map: Map<string, number> | Record<string, number> | null | undefined): Record<string, number> {
  if (!map) return {};
  return map instanceof Map ? Object.fromEntries(map) : { ...map };
}
