/** The event-trigger cursor (`sop_trigger_feed`, one row `main`) under a lease: one scheduler process reads at a time. */
import type { SopModels } from './sop.models.ts';

type FeedDoc = { _id: string; lastEventId: string | null; leaseOwner: string | null; leaseUntil: Date | null };

export class TriggerFeedRepository {
  constructor(private readonly Feed: SopModels['SopTriggerFeed']) {}

  /** Takes (or renews) the lease; returns the last event id read, or undefined when another process holds it. */
  async claim(owner: string, now: Date, leaseMs: number): Promise<{ lastEventId: string | null } | undefined> {
    await this.Feed.updateOne({ _id: 'main' }, { $setOnInsert: { lastEventId: null, leaseOwner: null, leaseUntil: null } }, { upsert: true });
    const claimed = await this.Feed.findOneAndUpdate(
      { _id: 'main', $or: [{ leaseOwner: owner }, { leaseOwner: null }, { leaseUntil: { $lt: now } }] },
      { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
      { returnDocument: 'after' },
    ).lean<FeedDoc>();
    return claimed ? { lastEventId: claimed.lastEventId ?? null } : undefined;
  }

  /** Saves the cursor (when events were read) and lets the lease go. */
  async advance(owner: string, lastEventId: string | null): Promise<void> {
    await this.Feed.updateOne({ _id: 'main', leaseOwner: owner }, { $set: { ...(lastEventId ? { lastEventId } : {}), leaseOwner: null, leaseUntil: null } });
  }
}
