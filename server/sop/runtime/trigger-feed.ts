/**
 * Event triggers read the event log like a queue: a cursor (the last event id seen) lives in `sop_trigger_feed`,
 * guarded by a lease so one scheduler process reads at a time. Events stored by any process — callbacks, the
 * API, other jobs — therefore start runs even when no scheduler was running at that moment, and a crash between
 * enrolling and saving the cursor only repeats enrollments, which are idempotent.
 */
import type { Clock } from '../../shared/clock.ts';
import type { SopLedger } from '../ledger/index.ts';
import type { EnrollDeps } from './enroll.ts';
import type { SopEvents } from './sop-ports.ts';
import type { SopRegistry } from './sop-registry.ts';
import { fireEventTriggers } from './triggers.ts';

/** What the feed reads and writes: its cursor in the ledger, the event log, and what enrolling needs. */
export type TriggerFeedDeps = EnrollDeps & { ledger: Pick<SopLedger, 'feed'>; events: Pick<SopEvents, 'after'>; clock: Clock };

const TRIGGER_TYPES = ['friend_added', 'oa_subscribed', 'kf.enter_session', 'contact.tags_changed', 'group_updated'];
const LEASE_MS = 30_000;

export class TriggerFeed {
  constructor(
    private readonly services: TriggerFeedDeps,
    private readonly registry: SopRegistry,
    private readonly owner: string,
  ) {}

  /** Reads up to `limit` new events and fires their triggers; returns how many events were read. */
  async poll(limit = 500): Promise<number> {
    const { feed } = this.services.ledger;
    const claimed = await feed.claim(this.owner, this.services.clock.now(), LEASE_MS);
    if (!claimed) return 0;
    const events = await this.services.events.after(claimed.lastEventId ?? null, TRIGGER_TYPES, limit);
    for (const e of events) {
      await fireEventTriggers(this.services, this.registry, { corpId: e.corpId, type: e.type, contactId: e.contactId ?? null, occurredAt: e.occurredAt, payload: (e.payload ?? {}) as Record<string, unknown> });
    }
    const last = events[events.length - 1];
    await feed.advance(this.owner, last ? String(last._id) : null);
    return events.length;
  }
}
