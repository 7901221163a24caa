/**
 * Outcome attribution, pure: for every assigned unit (contact) and metric, the first qualifying event in
 * [exposure, exposure + window). Metric ids:
 * - `reply`: an inbound message of a REPLY_TYPES type (shared/reply-types.ts) written by the contact (a 微信客服
 *   message whose `origin` is the servicer or the system is not a reply);
 * - `click`: `link.clicked` (short-link.route.ts), for links made for this experiment or for none;
 * - `conversion` / `conversion:<type>`: `conversion` events (POST /api/conversions), any type or one;
 * - `tag:<tagId>`: `contact.tags_changed` whose `payload.added` holds the tag;
 * - `friend_added`: the contact accepted the friend request (campaign greetings);
 * - guardrails `friend_deleted` (`friend_deleted_by_customer` / `_by_staff`) and `opted_out`
 *   (`contact.opted_out`, appended by POST /api/contacts/:id/consent; the loader also turns `consent.optedOutAt`
 *   into one for contacts opted out another way, e.g. an import);
 * - `kf_resolved`: a 微信客服 session answered from an A/B tested knowledge entry ended (or fell silent) without a
 *   handover (`kf.resolved`, appended by server/kf for this experiment only).
 */
import { REPLY_TYPES } from '../shared/reply-types.ts';

export type MetricSpec =
  | { kind: 'reply' | 'click' | 'friend_added' | 'friend_deleted' | 'opted_out' | 'kf_resolved' }
  | { kind: 'conversion'; conversionType: string | null }
  | { kind: 'tag'; tagId: string };

const SIMPLE = ['reply', 'click', 'friend_added', 'friend_deleted', 'opted_out', 'kf_resolved'] as const;
const PART = /^[A-Za-z0-9_.-]{1,64}$/;
const DAY_MS = 86_400_000;

/** The metric an id names, or null when the id is not one of the forms above. */
export function parseMetric(id: string): MetricSpec | null {
  if ((SIMPLE as readonly string[]).includes(id)) return { kind: id as (typeof SIMPLE)[number] };
  if (id === 'conversion') return { kind: 'conversion', conversionType: null };
  const [head, rest] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
  if (head === 'conversion' && PART.test(rest)) return { kind: 'conversion', conversionType: rest };
  if (head === 'tag' && PART.test(rest)) return { kind: 'tag', tagId: rest };
  return null;
}

const TYPES: Record<MetricSpec['kind'], readonly string[]> = {
  reply: REPLY_TYPES,
  click: ['link.clicked'],
  conversion: ['conversion'],
  tag: ['contact.tags_changed'],
  friend_added: ['friend_added'],
  friend_deleted: ['friend_deleted_by_customer', 'friend_deleted_by_staff'],
  opted_out: ['contact.opted_out'],
  kf_resolved: ['kf.resolved'],
};

/** Every event type any of these metrics reads (what the loader fetches from the event log). */
export function eventTypesOf(metrics: readonly string[]): string[] {
  const specs = metrics.map(parseMetric).filter((s): s is MetricSpec => s !== null);
  return [...new Set(specs.flatMap((s) => TYPES[s.kind]))];
}

/** One assigned unit: the contact, its arm and store, its exposure (assignment) and "sent" times. */
export type ExposureUnit = { contactId: string; arm: string; storeId: string | null; exposedAt: Date; sentAt: Date | null };

export type OutcomeEvent = { contactId: string; type: string; direction: string; occurredAt: Date; payload: Record<string, unknown> };

/** Earliest and latest exposure of non-empty units (a loop: spreading 100k values into Math.min overflows the stack). */
export function exposureRange(units: readonly ExposureUnit[]): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const u of units) {
    first = Math.min(first, u.exposedAt.getTime());
    last = Math.max(last, u.exposedAt.getTime());
  }
  return { first, last };
}

/** A unit with, per metric id, when its first qualifying outcome happened (null: none in the window). */
export type AttributedUnit = ExposureUnit & { outcomes: Record<string, Date | null> };

/** Does this event count for this metric? (Time is checked by the caller.) */
export function qualifies(spec: MetricSpec, e: OutcomeEvent, experimentId: string): boolean {
  if (!TYPES[spec.kind].includes(e.type)) return false;
  switch (spec.kind) {
    case 'reply':
      return e.direction === 'inbound' && (e.payload.origin === undefined || e.payload.origin === 'customer');
    case 'click':
      return e.payload.experiment == null || e.payload.experiment === experimentId;
    case 'conversion':
      return spec.conversionType === null || e.payload.conversionType === spec.conversionType;
    case 'tag':
      return Array.isArray(e.payload.added) && e.payload.added.includes(spec.tagId);
    case 'kf_resolved':
      // One entry's resolution says nothing about another entry's test.
      return e.payload.experiment === experimentId;
    default:
      return true;
  }
}

/**
 * Attributes outcomes to units. Unknown metric ids throw RangeError (routes validate them first).
 * Events may come in any order; a contact's events outside its unit's window are ignored.
 */
export function attribute(units: readonly ExposureUnit[], events: readonly OutcomeEvent[], opts: { metrics: readonly string[]; windowDays: number; experimentId: string }): AttributedUnit[] {
  const specs = opts.metrics.map((id) => {
    const spec = parseMetric(id);
    if (!spec) throw new RangeError(`unknown metric "${id}"`);
    return [id, spec] as const;
  });
  const byContact = new Map<string, OutcomeEvent[]>();
  for (const e of events) {
    const list = byContact.get(e.contactId);
    if (list) list.push(e);
    else byContact.set(e.contactId, [e]);
  }
  const windowMs = opts.windowDays * DAY_MS;
  return units.map((u) => {
    const from = u.exposedAt.getTime();
    const inWindow = (byContact.get(u.contactId) ?? []).filter((e) => e.occurredAt.getTime() >= from && e.occurredAt.getTime() < from + windowMs);
    const outcomes: Record<string, Date | null> = {};
    for (const [id, spec] of specs) {
      let first: Date | null = null;
      for (const e of inWindow) {
        if (qualifies(spec, e, opts.experimentId) && (first === null || e.occurredAt < first)) first = e.occurredAt;
      }
      outcomes[id] = first;
    }
    return { ...u, outcomes };
  });
}
