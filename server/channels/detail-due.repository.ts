/**
 * Vendor details owed: an event is applied at once with what it says, and what only the vendor's API can tell
 * (a customer's name, unionid and remark; a group's members) is fetched here later when the API did not answer
 * in time. Rows back off from 30 s to 30 min; nothing is ever given up on, so a customer recorded during an
 * outage gets their name once WeCom answers again.
 */
import type { Types } from 'mongoose';
import type { ChannelsModels } from './channels.models.ts';
import type { Clock } from '../shared/clock.ts';
import type { DetailDueDoc } from './detail-due.schema.ts';
import { UpdateBatcher } from '../db/update-batcher.ts';

export type DetailKind = 'contact' | 'group' | 'follower';
export type DetailDueRow = DetailDueDoc & { _id: Types.ObjectId };

const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 30 * 60_000;

export class DetailDueRepository {
  /** A burst of welcome-code adds owes hundreds of details a second: written together (see UpdateBatcher). */
  private readonly writes: UpdateBatcher;

  constructor(
    private readonly models: Pick<ChannelsModels, 'DetailDue'>,
    private readonly clock: Clock,
  ) {
    this.writes = new UpdateBatcher(() => models.DetailDue.db.db!, models.DetailDue.collection.collectionName);
  }

  /** Records that `vendorId`'s detail is owed (once: a later event about it joins the same row). */
  async owe(account: { id: string; corpId: string }, kind: DetailKind, vendorId: string, occurredAt: Date, reason: string): Promise<void> {
    const now = this.clock.now();
    await this.writes.update({
      q: { accountId: account.id, kind, vendorId },
      u: {
        $setOnInsert: { corpId: account.corpId, attempts: 0, nextAttemptAt: new Date(now.getTime() + FIRST_DELAY_MS), createdAt: now },
        $set: { lastError: reason },
        $max: { occurredAt },
      },
      upsert: true,
    });
  }

  /** Due rows, the longest-waiting first. */
  async due(limit: number): Promise<DetailDueRow[]> {
    return this.models.DetailDue.find({ nextAttemptAt: { $lte: this.clock.now() } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .lean<DetailDueRow[]>();
  }

  /** The detail is applied: the row goes, unless another event owed it again meanwhile (then it stays due). */
  async settled(row: DetailDueRow): Promise<void> {
    await this.models.DetailDue.deleteOne({ _id: row._id, occurredAt: row.occurredAt });
  }

  async later(row: DetailDueRow, reason: string): Promise<void> {
    const attempts = row.attempts + 1;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempts);
    await this.models.DetailDue.updateOne({ _id: row._id }, { $set: { attempts, lastError: reason, nextAttemptAt: new Date(this.clock.now().getTime() + delay) } });
  }

  async count(): Promise<number> {
    return this.models.DetailDue.countDocuments({});
  }
}
