/**
 * The inbox: verified payloads are recorded here before the callback is acknowledged, and processors claim
 * them afterwards. Claims are single-document atomic updates with a lease, so several processes can drain one
 * inbox and a processor that dies mid-way gives its rows back when the lease runs out.
 */
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { Models } from '../db/models.ts';
import { InsertBatcher } from '../db/insert-batcher.ts';
import type { Clock } from '../shared/clock.ts';
import type { ChannelAccount } from './channel-account.repository.ts';
import type { InboundRawDoc } from './inbound-raw.schema.ts';

export type InboxRow = InboundRawDoc & { _id: Types.ObjectId };

export const LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 8;

export class InboundInbox {
  // Callbacks arrive in bursts; writing them in groups keeps the acknowledgement fast under load. Up to 64 per
  // write, two writes in flight: of 16, 32 and 64 per write (and 256 with one in flight), 64 gave the lowest ack
  // p99 with 64 callbacks in flight (npm run bench -- callback-ingest). The vendor never resends what we
  // acknowledged, so each write is journaled (on disk, on a majority) before any of its callers answers 200.
  private readonly batcher: InsertBatcher;

  constructor(
    private readonly models: Pick<Models, 'InboundRaw'>,
    private readonly clock: Clock,
  ) {
    this.batcher = new InsertBatcher(() => this.models.InboundRaw.db.db!, this.models.InboundRaw.collection.collectionName, 64, 2, { w: 'majority', j: true });
  }

  /** Stores a verified payload once per (account, content); a redelivery returns `duplicate: true`. */
  async record(account: ChannelAccount, plaintext: string): Promise<{ id: string; duplicate: boolean }> {
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
      priority: claimPriority(plaintext),
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
      // Welcome-code adds first (their code dies 20 s after the add); arrival order otherwise.
      { returnDocument: 'after', sort: { priority: -1, nextAttemptAt: 1 } },
    ).lean<InboxRow>();
    if (due) return due;
    return this.models.InboundRaw.findOneAndUpdate(
      { status: 'processing', leaseUntil: { $lt: now } },
      { $set: { leaseUntil: lease }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean<InboxRow>();
  }

  async done(row: InboxRow, eventKeys: string[]): Promise<void> {
    await this.models.InboundRaw.updateOne({ _id: row._id }, { $set: { status: 'processed', leaseUntil: null, eventKeys, processedAt: this.clock.now(), lastError: null } });
  }

  /** A payload no parser can read: kept, never retried. */
  async reject(row: InboxRow, reason: string): Promise<void> {
    await this.models.InboundRaw.updateOne({ _id: row._id }, { $set: { status: 'rejected', leaseUntil: null, lastError: reason, processedAt: this.clock.now() } });
  }

  /** A transient failure: back off exponentially, give up (status failed, kept) after MAX_ATTEMPTS. */
  async retryLater(row: InboxRow, reason: string): Promise<void> {
    const attempts = row.attempts ?? 1;
    const giveUp = attempts >= MAX_ATTEMPTS;
    const delay = Math.min(30 * 60_000, 1000 * 2 ** attempts);
    await this.models.InboundRaw.updateOne(
      { _id: row._id },
      { $set: { status: giveUp ? 'failed' : 'pending', leaseUntil: null, lastError: reason, nextAttemptAt: new Date(this.clock.now().getTime() + delay) } },
    );
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.models.InboundRaw.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }
}

/**
 * 1 for a WeCom add_external_contact / add_half_external_contact that carries a WelcomeCode: its welcome message
 * must go out within 20 s of the add, so it jumps the queue. A cheap look at the plaintext, not a parse.
 */
export function claimPriority(plaintext: string): number {
  return /<ChangeType>(?:<!\[CDATA\[)?add_(?:half_)?external_contact\b/.test(plaintext) && /<WelcomeCode>(?:<!\[CDATA\[)?[^<\]]/.test(plaintext) ? 1 : 0;
}
