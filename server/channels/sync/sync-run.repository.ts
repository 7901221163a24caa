/**
 * Sync runs: created, claimed by one process at a time (a lease renewed with every saved page), advanced page by
 * page, and released as done, failed or interrupted. Every write after the claim checks the lease, so two
 * processes never advance the same run.
 */
import type { Types } from 'mongoose';
import type { ChannelsModels } from '../channels.models.ts';
import { ConflictError } from '../../errors.ts';
import type { Clock } from '../../shared/clock.ts';
import type { SyncPhase, SyncRunDoc } from './sync-run.schema.ts';

export type SyncCounts = { contacts: number; created: number; follows: number; groups: number };

export type SyncRun = {
  id: string;
  corpId: string;
  accountId: string;
  status: SyncRunDoc['status'];
  phase: SyncPhase;
  staffUserIds: string[];
  batch: number;
  cursor: string | null;
  counts: SyncCounts;
  resumes: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  startedAt: Date;
};

/** Where a run stands after a page: the next question to ask, and what the page added. */
export type SyncStep = { phase: SyncPhase; batch: number; cursor: string | null; add: SyncCounts };

type Row = SyncRunDoc & { _id: Types.ObjectId };

const toRun = (r: Row): SyncRun => ({
  id: String(r._id),
  corpId: r.corpId,
  accountId: r.accountId,
  status: r.status,
  phase: r.phase,
  staffUserIds: [...(r.staffUserIds ?? [])],
  batch: r.batch,
  cursor: r.cursor ?? null,
  counts: { contacts: r.counts?.contacts ?? 0, created: r.counts?.created ?? 0, follows: r.counts?.follows ?? 0, groups: r.counts?.groups ?? 0 },
  resumes: r.resumes,
  leaseOwner: r.leaseOwner ?? null,
  leaseUntil: r.leaseUntil ?? null,
  startedAt: r.startedAt,
});

export class SyncRunRepository {
  constructor(
    private readonly models: Pick<ChannelsModels, 'SyncRun'>,
    private readonly clock: Clock,
    /** How long a claim holds without progress. */
    private readonly leaseMs = 5 * 60_000,
  ) {}

  async findUnfinished(corpId: string, accountId: string): Promise<SyncRun | null> {
    const row = await this.models.SyncRun.findOne({ corpId, accountId, finishedAt: null }).sort({ startedAt: -1 }).lean<Row>();
    return row ? toRun(row) : null;
  }

  /** A new run, already claimed by `owner`. */
  async start(r: { corpId: string; accountId: string; staffUserIds: string[] }, owner: string): Promise<SyncRun> {
    const now = this.clock.now();
    const doc = await this.models.SyncRun.create({
      ...r,
      channel: 'wecom',
      status: 'running',
      phase: 'customers',
      batch: 0,
      cursor: null,
      leaseOwner: owner,
      leaseUntil: this.leaseEnd(now),
      startedAt: now,
      updatedAt: now,
    });
    return toRun(doc.toObject() as Row);
  }

  /**
   * Claims an unfinished run for `owner` when nobody holds it: no owner, an expired lease, or the owner named in
   * `takeOver` (a process known to be gone). Returns null when another process holds it.
   */
  async claim(run: SyncRun, owner: string, takeOver?: string): Promise<SyncRun | null> {
    const now = this.clock.now();
    const row = await this.models.SyncRun.findOneAndUpdate(
      { _id: run.id, corpId: run.corpId, finishedAt: null, $or: claimable(owner, now, takeOver) },
      { $set: { status: 'running', leaseOwner: owner, leaseUntil: this.leaseEnd(now), updatedAt: now }, $inc: { resumes: 1 } },
      { returnDocument: 'after' },
    ).lean<Row>();
    return row ? toRun(row) : null;
  }

  /** Saves the next cursor and adds the page's counts in one write, renewing the lease. */
  async advance(run: SyncRun, owner: string, step: SyncStep): Promise<void> {
    const now = this.clock.now();
    const res = await this.models.SyncRun.updateOne(
      { _id: run.id, corpId: run.corpId, leaseOwner: owner, finishedAt: null },
      {
        $set: { phase: step.phase, batch: step.batch, cursor: step.cursor, leaseUntil: this.leaseEnd(now), updatedAt: now },
        $inc: { 'counts.contacts': step.add.contacts, 'counts.created': step.add.created, 'counts.follows': step.add.follows, 'counts.groups': step.add.groups },
      },
    );
    if (res.matchedCount === 0) throw new ConflictError(`同步任务 ${run.id} 已被另一个进程接管 Sync run ${run.id} was taken over by another process`);
  }

  /** Releases the run: `done` finishes it; `failed` and `interrupted` leave it to be resumed. */
  async release(run: SyncRun, owner: string, status: 'done' | 'failed' | 'interrupted', error?: string): Promise<void> {
    const now = this.clock.now();
    await this.models.SyncRun.updateOne(
      { _id: run.id, corpId: run.corpId, leaseOwner: owner },
      {
        $set: {
          status,
          leaseOwner: null,
          leaseUntil: null,
          updatedAt: now,
          lastError: error ?? null,
          ...(status === 'done' ? { phase: 'done', batch: 0, cursor: null, finishedAt: now } : {}),
        },
      },
    );
  }

  /** `--restart`: the unfinished run is closed as abandoned (unless a live process holds it) and a new one starts. */
  async abandon(run: SyncRun, owner: string, takeOver?: string): Promise<boolean> {
    const now = this.clock.now();
    const res = await this.models.SyncRun.updateOne(
      { _id: run.id, corpId: run.corpId, finishedAt: null, $or: claimable(owner, now, takeOver) },
      { $set: { status: 'abandoned', leaseOwner: null, leaseUntil: null, updatedAt: now, finishedAt: now } },
    );
    return res.modifiedCount > 0;
  }

  private leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.leaseMs);
  }
}

/** Nobody holds the run, its lease lapsed, `owner` already holds it, or it belongs to `takeOver` (a process known to be gone). */
function claimable(owner: string, now: Date, takeOver?: string): Record<string, unknown>[] {
  return [{ leaseOwner: null }, { leaseUntil: { $lte: now } }, { leaseOwner: owner }, ...(takeOver ? [{ leaseOwner: takeOver }] : [])];
}
