/**
 * The append-only event log. `append` is idempotent on (corpId, key): a replayed delivery returns the
 * stored event with `duplicate: true` instead of writing a second one.
 */
import { Types } from 'mongoose';
import { InsertBatcher } from '../db/insert-batcher.ts';
import { DUPLICATE_KEY, insertUnordered, InsertRefused } from '../db/insert-unordered.ts';
import type { Clock } from '../shared/clock.ts';
import { beforeTimePoint, cursorFilter, toPage, type Page, type TimePoint } from '../shared/pagination.ts';
import type { Scope } from '../shared/scope.ts';
import { toObjectId } from '../shared/object-id.ts';
import type { EventDoc } from './event.schema.ts';
import type { EventsModels } from './events.models.ts';

export type NewEvent = {
  key: string;
  direction: 'inbound' | 'outbound' | 'internal';
  channel: string;
  type: string;
  contactId?: string | null;
  storeId?: string | null;
  occurredAt: Date;
  payload?: Record<string, unknown>;
};

type EventRow = EventDoc & { _id: Types.ObjectId };

const DIRECTIONS: ReadonlySet<string> = new Set(['inbound', 'outbound', 'internal']);

export function toEventDto(e: EventRow) {
  return {
    id: String(e._id),
    key: e.key,
    direction: e.direction,
    channel: e.channel,
    type: e.type,
    contactId: e.contactId ?? null,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    payload: (e.payload ?? {}) as Record<string, unknown>,
  };
}
export type EventDto = ReturnType<typeof toEventDto>;

/** What the schema would refuse, refused before anything is written: the documents skip mongoose. */
function checkEvent(corpId: string, e: NewEvent): void {
  if (!corpId || !e.key || !e.channel || !e.type || !DIRECTIONS.has(e.direction) || !(e.occurredAt instanceof Date) || Number.isNaN(e.occurredAt.getTime())) {
    throw new Error(`事件无效 invalid event ${JSON.stringify({ corpId, key: e.key, direction: e.direction, channel: e.channel, type: e.type })}`);
  }
}

/** Every field of the schema spelled out. */
function eventDocument(corpId: string, e: NewEvent, recordedAt: Date): EventRow {
  return {
    _id: new Types.ObjectId(),
    corpId,
    key: e.key,
    direction: e.direction,
    channel: e.channel,
    type: e.type,
    contactId: e.contactId ?? null,
    storeId: e.storeId ?? null,
    occurredAt: e.occurredAt,
    recordedAt,
    payload: e.payload ?? {},
  } as EventRow;
}

export class EventLogRepository {
  private readonly inserts: InsertBatcher;

  constructor(
    private readonly models: EventsModels,
    private readonly clock: Clock,
    private readonly onAppend: (e: { channel: string; type: string; duplicate: boolean }) => void = () => {},
  ) {
    this.inserts = new InsertBatcher(() => models.Event.db.db!, models.Event.collection.collectionName);
  }

  /**
   * One event, written with the appends asked meanwhile in one insert command (InsertBatcher): a kf page's
   * messages, a burst's reactions. The document is complete as built here, as in `appendMany`.
   */
  async append(corpId: string, e: NewEvent): Promise<{ event: EventDto; duplicate: boolean }> {
    checkEvent(corpId, e);
    const doc = eventDocument(corpId, e, this.clock.now());
    if ((await this.inserts.insert(doc)) === 'inserted') {
      this.onAppend({ channel: e.channel, type: e.type, duplicate: false });
      return { event: toEventDto(doc), duplicate: false };
    }
    const existing = await this.models.Event.findOne({ corpId, key: e.key }).lean<EventRow>();
    if (!existing) throw new Error(`事件键冲突但未找到已存事件 event key ${e.key} refused as a duplicate but not found`);
    this.onAppend({ channel: e.channel, type: e.type, duplicate: true });
    return { event: toEventDto(existing), duplicate: true };
  }

  /**
   * Appends many events in one unordered insert command (the inbound processor's batch), each idempotent on its key
   * as with `append`: a key already stored, or twice in the batch, is counted as a duplicate and the others are
   * written. The documents are complete as built here (every field of the schema), so mongoose's per-document
   * hydration and validation, a large share of the processor's CPU in a burst, is skipped.
   */
  async appendMany(entries: ReadonlyArray<{ corpId: string; event: NewEvent }>): Promise<{ duplicates: number }> {
    if (!entries.length) return { duplicates: 0 };
    const recordedAt = this.clock.now();
    // What the schema would refuse fails the whole call before anything is written (the types say it cannot happen).
    for (const { corpId, event } of entries) checkEvent(corpId, event);
    const docs = entries.map(({ corpId, event }) => eventDocument(corpId, event, recordedAt));
    const writeErrors = await insertUnordered(this.models.Event.db.db!, this.models.Event.collection.collectionName, docs);
    // Anything but duplicate keys (a refused document) fails the whole call: the caller retries it.
    const refused = writeErrors.filter((w) => w.code !== DUPLICATE_KEY);
    if (refused.length) throw new InsertRefused(refused);
    const duplicate = new Set(writeErrors.map((w) => w.index));
    entries.forEach(({ event }, i) => this.onAppend({ channel: event.channel, type: event.type, duplicate: duplicate.has(i) }));
    return { duplicates: duplicate.size };
  }

  /** A contact's timeline, newest first. The caller has already checked the contact is in scope. */
  async timeline(scope: Scope, contactId: string, page: { limit: number; cursor?: string }): Promise<Page<EventDto>> {
    const rows = await this.models.Event.find({ corpId: scope.corpId, contactId, ...cursorFilter(page.cursor) })
      .sort({ _id: -1 })
      .limit(page.limit + 1)
      .lean<EventRow[]>();
    return toPage(rows, page.limit, toEventDto);
  }

  /** A contact's events by when they happened, newest first, after a point of a merged activity list. */
  async activityBefore(corpId: string, contactId: string, before: TimePoint | null, limit: number): Promise<EventDto[]> {
    const rows = await this.models.Event.find({ corpId, contactId, ...beforeTimePoint('occurredAt', before) }).sort({ occurredAt: -1, _id: -1 }).limit(limit).lean<EventRow[]>();
    return rows.map(toEventDto);
  }

  /** Moves a merged contact's events to the contact it was merged into (contacts: contact-identity.repository.ts). */
  async reassignContact(corpId: string, fromContactId: string, toContactId: string): Promise<void> {
    await this.models.Event.updateMany({ corpId, contactId: fromContactId }, { $set: { contactId: toContactId } });
  }

  /**
   * Relations of these customers ended since `since`, by the customer or by a member (handover transfers left
   * out): what live-code analytics count as lost adds. Batches of 500 customers.
   */
  async friendDeletions(corpId: string, externalUserIds: readonly string[], since: Date): Promise<Array<{ externalUserId: string; staffUserId: string; at: Date }>> {
    const out: Array<{ externalUserId: string; staffUserId: string; at: Date }> = [];
    const ids = [...new Set(externalUserIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.models.Event.find({ corpId, type: { $in: ['friend_deleted_by_customer', 'friend_deleted_by_staff'] }, occurredAt: { $gte: since }, 'payload.externalUserId': { $in: ids.slice(i, i + 500) } })
        .select('occurredAt payload')
        .lean();
      for (const r of rows) {
        const p = r.payload as { externalUserId?: string; staffUserId?: string; byTransfer?: boolean };
        if (p.byTransfer || !p.externalUserId || !p.staffUserId) continue;
        out.push({ externalUserId: p.externalUserId, staffUserId: p.staffUserId, at: r.occurredAt });
      }
    }
    return out;
  }

  /** When a contact's first event of this type at or after `since` happened; null when none. */
  async firstOccurrence(corpId: string, contactId: string, type: string, since: Date | null): Promise<Date | null> {
    const row = await this.models.Event.findOne({ corpId, contactId, type, occurredAt: { $gte: since } }).sort({ occurredAt: 1 }).select('occurredAt').lean();
    return row?.occurredAt ?? null;
  }

  /** These contacts' events of these types in [from, to) (what experiment outcomes are attributed from). */
  async ofContactsBetween(corpId: string, contactIds: string[], types: string[], from: Date, to: Date): Promise<Array<{ contactId: string; type: string; direction: string; occurredAt: Date; payload: Record<string, unknown> }>> {
    const rows = await this.models.Event.find({ corpId, contactId: { $in: contactIds }, type: { $in: types }, occurredAt: { $gte: from, $lt: to } })
      .select('contactId type direction occurredAt payload')
      .lean();
    const out = [];
    for (const r of rows) if (r.contactId) out.push({ contactId: r.contactId, type: r.type, direction: r.direction, occurredAt: r.occurredAt, payload: (r.payload ?? {}) as Record<string, unknown> });
    return out;
  }

  /** The contact's latest event on a channel: SOP routing reads the 微信客服 account the contact wrote to. */
  async latestOnChannel(corpId: string, contactId: string, channel: string): Promise<EventRow | null> {
    return this.models.Event.findOne({ corpId, contactId, channel }).sort({ _id: -1 }).lean<EventRow>();
  }

  /** Whether the contact has an event of these types since `since`: SOP exits and branches. */
  async hasSince(corpId: string, contactId: string, types: readonly string[], since: Date): Promise<boolean> {
    return (await this.models.Event.countDocuments({ corpId, contactId, type: { $in: types }, occurredAt: { $gte: since } })) > 0;
  }

  /** Whether the contact clicked a link of this SOP step (a `clicked` branch). */
  async clickedStep(corpId: string, contactId: string, stepId: string): Promise<boolean> {
    return (await this.models.Event.countDocuments({ corpId, contactId, type: 'link.clicked', 'payload.stepId': stepId })) > 0;
  }

  /** Which of these contacts have an event of these types since `since`: bulk SOP enrollment's exit check. */
  async contactsWithSince(corpId: string, contactIds: readonly string[], types: readonly string[], since: Date): Promise<Set<string>> {
    const rows = await this.models.Event.find({ corpId, contactId: { $in: contactIds }, type: { $in: types }, occurredAt: { $gte: since } }).select('contactId').lean();
    return new Set(rows.map((r) => String(r.contactId)));
  }

  /** Events of these types after an event id (all when null), in id order across corps: the SOP trigger feed. */
  async after(lastEventId: string | null, types: readonly string[], limit: number): Promise<EventRow[]> {
    const after = lastEventId ? { _id: { $gt: toObjectId(lastEventId) } } : {};
    return this.models.Event.find({ ...after, type: { $in: types } }).sort({ _id: 1 }).limit(limit).lean<EventRow[]>();
  }
}
