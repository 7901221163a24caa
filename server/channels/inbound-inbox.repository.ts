/**
 * The inbox: verified payloads are recorded here before the callback is acknowledged, and processors claim
 * them afterwards. Claims are single-document atomic updates with a lease, so several processes can drain one
 * inbox and a processor that dies mid-way gives its rows back when the lease runs out.
 */
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ChannelsModels } from './channels.models.ts';
import { InsertBatcher } from '../db/insert-batcher.ts';
import type { Clock } from '../shared/clock.ts';
import type { ChannelAccount } from './channel-account.repository.ts';
import type { InboundRawDoc } from './inbound-raw.schema.ts';

export type InboxRow = InboundRawDoc & { _id: Types.ObjectId };

export const LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 8;
/** `transient`: the vendor or the database did not answer (revived after the outage); `permanent`: anything else. */
export type FailKind = 'transient' | 'permanent';
/** Last errors of rows failed before `failKind` was recorded that count as transient (ChannelError kinds, network). */
const TRANSIENT_REASON = /^(unavailable|rate_limited) errcode=|fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|timed? ?out|HTTP 5\d\d|Mongo(Network|ServerSelection|NotConnected)/i;

/** The wait before a failed row's next revival: 5 min, doubling per revival, at most 6 h. */
export function reviveDelayMs(revivals: number): number {
  return Math.min(6 * 3_600_000, 5 * 60_000 * 2 ** revivals);
}

export class InboundInbox {
  // Callbacks arrive in bursts; writing them in groups keeps the acknowledgement fast under load. Up to 64 per
  // write, two writes in flight: of 16, 32 and 64 per write (and 256 with one in flight), 64 gave the lowest ack
  // p99 with 64 callbacks in flight (npm run bench -- callback-ingest). The vendor never resends what we
  // acknowledged, so each write is journaled (on disk, on a majority) before any of its callers answers 200.
  private readonly batcher: InsertBatcher;

  constructor(
    private readonly models: Pick<ChannelsModels, 'InboundRaw'>,
    private readonly clock: Clock,
  ) {
    this.batcher = new InsertBatcher(() => this.models.InboundRaw.db.db!, this.models.InboundRaw.collection.collectionName, 64, 2, { w: 'majority', j: true });
  }

  /**
   * Stores a verified payload once per (account, content); a redelivery returns `duplicate: true`. The account's
   * adapter says how soon the payload should be claimed (`inboxPriority`; arrival order without it).
   */
  async record(account: ChannelAccount, plaintext: string, adapter: Pick<ChannelAdapter, 'inboxPriority'>): Promise<{ id: string; duplicate: boolean }> {
    const digest = createHash('sha256').update(plaintext).digest('hex');
    const now = this.clock.now();
    const _id = new Types.ObjectId();
    const outcome = await this.batcher.insert({
      _id,
      accountId: account.id,
      corpId: account.corpId,
      channel: account.kind,
      digest,
      plaintext,
      receivedAt: now,
      status: 'pending',
      attempts: 0,
      leaseUntil: null,
      nextAttemptAt: now,
      lastError: null,
      eventKeys: [],
      processedAt: null,
      priority: adapter.inboxPriority?.(plaintext) ?? 0,
    });
    return outcome === 'inserted' ? { id: String(_id), duplicate: false } : { id: '', duplicate: true };
  }

  /** Claims one due row: pending and due, or processing with an expired lease (its processor died). */
  async claim(): Promise<InboxRow | null> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + LEASE_MS);
    const due = await this.models.InboundRaw.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: { $lte: now } },
      { $set: { status: 'processing', leaseUntil: lease }, $inc: { attempts: 1 } },
      // The adapter's priority first (WeCom: welcome-code adds, whose code dies 20 s after the add); arrival order otherwise.
      { returnDocument: 'after', sort: { priority: -1, nextAttemptAt: 1 } },
    ).lean<InboxRow>();
    if (due) return due;
    return this.models.InboundRaw.findOneAndUpdate(
      { status: 'processing', leaseUntil: { $lt: now } },
      { $set: { leaseUntil: lease }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean<InboxRow>();
  }

  /**
   * Claims up to `max` due pending rows with one write (the processor's path): the candidates are read whole in
   * claim order and claimed together under a fresh token. When the write took every one of them (no other process
   * was claiming), the rows read are the rows claimed, with the claim's fields set here as the write set them;
   * otherwise what this claim won is read back by its token. Reading the candidates by id only and every claim's
   * rows back was one command more per claim: 128-row claims took ~20.5 ms instead of ~17 on the development
   * database. With none pending, falls back to one row whose lease ran out.
   */
  async claimBatch(max: number): Promise<InboxRow[]> {
    const now = this.clock.now();
    const order = { priority: -1, nextAttemptAt: 1, _id: 1 } as const;
    const due = { status: 'pending' as const, nextAttemptAt: { $lte: now } };
    const candidates = await this.models.InboundRaw.find(due).sort(order).limit(max).lean<InboxRow[]>();
    if (candidates.length) {
      const claimToken = new Types.ObjectId().toHexString();
      const leaseUntil = new Date(now.getTime() + LEASE_MS);
      const ids = candidates.map((c) => c._id);
      // Still due, as read: a row another process took, failed and put back to wait is not taken from a stale copy.
      const res = await this.models.InboundRaw.updateMany({ _id: { $in: ids }, ...due }, { $set: { status: 'processing', leaseUntil, claimToken }, $inc: { attempts: 1 } });
      let won = candidates;
      if (res.modifiedCount !== candidates.length) {
        const taken = new Set((await this.models.InboundRaw.find({ _id: { $in: ids }, claimToken }).select('_id').lean()).map((r) => String(r._id)));
        won = candidates.filter((c) => taken.has(String(c._id)));
      }
      for (const row of won) Object.assign(row, { status: 'processing', leaseUntil, claimToken, attempts: (row.attempts ?? 0) + 1 });
      if (won.length) return won;
    }
    const expired = await this.claim();
    return expired ? [expired] : [];
  }

  /**
   * Extends the lease of rows still in hand (processing under the claim that took them), in one write for all:
   * rows waiting behind a slow subject or a vendor's rate are not taken for dead and applied twice. The rows given
   * carry their new lease, so a later release() still finds them. Answers how many were extended.
   */
  async renewLeases(rows: readonly InboxRow[]): Promise<number> {
    if (!rows.length) return 0;
    const byToken = new Map<string | null, Types.ObjectId[]>();
    for (const row of rows) {
      const ids = byToken.get(row.claimToken ?? null);
      if (ids) ids.push(row._id);
      else byToken.set(row.claimToken ?? null, [row._id]);
    }
    const leaseUntil = new Date(this.clock.now().getTime() + LEASE_MS);
    const res = await this.models.InboundRaw.collection.bulkWrite(
      [...byToken].map(([claimToken, ids]) => ({ updateMany: { filter: { _id: { $in: ids }, status: 'processing', claimToken }, update: { $set: { leaseUntil } } } })),
      { ordered: false },
    );
    for (const row of rows) (row as { leaseUntil: Date | null }).leaseUntil = leaseUntil;
    return res.modifiedCount;
  }

  /** Marks applied rows processed, one write for all (the end of a batch). */
  async doneMany(rows: Array<{ row: InboxRow; eventKeys: string[] }>): Promise<void> {
    if (!rows.length) return;
    const processedAt = this.clock.now();
    await this.models.InboundRaw.bulkWrite(
      rows.map(({ row, eventKeys }) => ({ updateOne: { filter: { _id: row._id }, update: { $set: { status: 'processed', leaseUntil: null, eventKeys, processedAt, lastError: null } } } })),
      { ordered: false },
    );
  }

  async done(row: InboxRow, eventKeys: string[]): Promise<void> {
    await this.models.InboundRaw.updateOne({ _id: row._id }, { $set: { status: 'processed', leaseUntil: null, eventKeys, processedAt: this.clock.now(), lastError: null } });
  }

  /** A payload no parser can read: kept, never retried. */
  async reject(row: InboxRow, reason: string): Promise<void> {
    await this.models.InboundRaw.updateOne({ _id: row._id }, { $set: { status: 'rejected', leaseUntil: null, lastError: reason, processedAt: this.clock.now() } });
  }

  /**
   * A failed attempt: back off exponentially; after MAX_ATTEMPTS the row is `failed` (kept) with its kind. A
   * `transient` failed row is due again for the inbox sweep (reviveFailed) after a delay that doubles with each
   * revival; it returns `true` when the row was given up on.
   */
  async retryLater(row: InboxRow, reason: string, kind: FailKind = 'transient'): Promise<boolean> {
    const attempts = row.attempts ?? 1;
    const giveUp = attempts >= MAX_ATTEMPTS;
    const delay = giveUp ? reviveDelayMs(row.revivals ?? 0) : Math.min(30 * 60_000, 1000 * 2 ** attempts);
    await this.models.InboundRaw.updateOne(
      { _id: row._id },
      { $set: { status: giveUp ? 'failed' : 'pending', leaseUntil: null, lastError: reason, failKind: giveUp ? kind : null, nextAttemptAt: new Date(this.clock.now().getTime() + delay) } },
    );
    return giveUp;
  }

  /**
   * Gives a claimed row back untouched (shutdown): pending again at once, and the attempt its claim counted is
   * taken back. Only while this claim still holds it (same lease).
   */
  async release(row: InboxRow): Promise<boolean> {
    return (await this.releaseMany([row])) > 0;
  }

  /** release() for many rows in one write (a stop gives back thousands of rows claimed ahead); answers how many. */
  async releaseMany(rows: readonly InboxRow[]): Promise<number> {
    if (!rows.length) return 0;
    const res = await this.models.InboundRaw.bulkWrite(
      rows.map((row) => ({
        updateOne: {
          filter: { _id: row._id, status: 'processing', leaseUntil: row.leaseUntil },
          update: { $set: { status: 'pending', leaseUntil: null, nextAttemptAt: this.clock.now() }, $inc: { attempts: -1 } },
        },
      })),
      { ordered: false },
    );
    return res.modifiedCount;
  }

  /**
   * Puts due `failed` rows that failed for a transient cause back to `pending` with fresh attempts (the inbox
   * sweep, after an outage). Rows failed before the kind was recorded are judged by their last error. Returns how
   * many were revived.
   */
  async reviveFailed(limit = 1000): Promise<number> {
    const now = this.clock.now();
    const candidates = await this.models.InboundRaw.find({ status: 'failed', nextAttemptAt: { $lte: now }, failKind: { $in: ['transient', null] } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .select('_id failKind lastError')
      .lean();
    const isTransient = (r: (typeof candidates)[number]) => r.failKind === 'transient' || TRANSIENT_REASON.test(r.lastError ?? '');
    // An unclassified row that does not look transient is classified once, so it is not read again every sweep.
    const permanent = candidates.filter((r) => !isTransient(r)).map((r) => r._id);
    if (permanent.length) await this.models.InboundRaw.updateMany({ _id: { $in: permanent }, status: 'failed' }, { $set: { failKind: 'permanent' } });
    const due = candidates.filter(isTransient);
    if (!due.length) return 0;
    const res = await this.models.InboundRaw.updateMany(
      { _id: { $in: due.map((r) => r._id) }, status: 'failed' },
      { $set: { status: 'pending', attempts: 0, failKind: null, nextAttemptAt: now }, $inc: { revivals: 1 } },
    );
    return res.modifiedCount;
  }

  /**
   * Rows by state for /metrics: pending (not tried yet), retrying, processing, failed by kind, rejected. Counts
   * by status only (the claim index serves them), so a scrape never scans the processed history.
   */
  async breakdown(): Promise<Array<{ status: string; reason: string; n: number }>> {
    const count = (filter: Record<string, unknown>) => this.models.InboundRaw.countDocuments(filter);
    const [pending, retrying, processing, rejected, transient, permanent, unclassified] = await Promise.all([
      count({ status: 'pending' }),
      count({ status: 'pending', attempts: { $gt: 0 } }),
      count({ status: 'processing' }),
      count({ status: 'rejected' }),
      count({ status: 'failed', failKind: 'transient' }),
      count({ status: 'failed', failKind: 'permanent' }),
      count({ status: 'failed', failKind: null }),
    ]);
    return [
      { status: 'pending', reason: '', n: pending - retrying },
      { status: 'retrying', reason: '', n: retrying },
      { status: 'processing', reason: '', n: processing },
      { status: 'rejected', reason: '', n: rejected },
      { status: 'failed', reason: 'transient', n: transient },
      { status: 'failed', reason: 'permanent', n: permanent },
      { status: 'failed', reason: 'unclassified', n: unclassified },
    ];
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.models.InboundRaw.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  /**
   * The queue an operator watches (every tenant, like the claim): pending rows by priority (1 = welcome-code adds)
   * and how long the oldest of each has waited since it was acknowledged. With a corp, that corp's rows only (the
   * console's execution page).
   */
  async backlog(corpId?: string): Promise<Array<{ priority: number; n: number; oldestAgeS: number }>> {
    const now = this.clock.now();
    const rows = await this.models.InboundRaw.aggregate<{ _id: number | null; n: number; oldest: Date }>([
      { $match: { status: 'pending', ...(corpId ? { corpId } : {}) } },
      { $group: { _id: '$priority', n: { $sum: 1 }, oldest: { $min: '$receivedAt' } } },
    ]);
    return rows.map((r) => ({ priority: r._id ?? 0, n: r.n, oldestAgeS: Math.max(0, (now.getTime() - r.oldest.getTime()) / 1000) })).sort((a, b) => b.priority - a.priority);
  }
}
