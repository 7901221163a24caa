/**
 * What the results are computed from, read from the database: the assigned units and their outcome events.
 * A unit of an SOP experiment is the first touch of a contact in the experiment (the ledger written at
 * assignment); a holdout unit is its `experiment_assignments` row. The exposure time is when the touch was
 * planned for at assignment (its first deferral's `from`, else its `dueAt`): the runner writes it with the
 * injected clock, while `createdAt` comes from the wall clock and would disagree with every event time of a
 * replay or a pinned-clock test. `sentAt` (staff confirmed / vendor accepted) is only the "sent" funnel step.
 */
import type { Models } from '../db/models.ts';
import { touchReads } from '../sop/ledger/index.ts';
import type { Scope } from '../shared/scope.ts';
import { ExperimentAssignmentRepository } from './experiment-assignment.repository.ts';
import type { ExperimentsModels } from './experiments.models.ts';
import { toObjectId } from '../shared/object-id.ts';
import { eventTypesOf, exposureRange, type ExposureUnit, type OutcomeEvent } from './outcomes.ts';

const DAY_MS = 86_400_000;
const CHUNK = 1000;

export type DataModels = Pick<ExperimentsModels, 'ExperimentAssignment'> & Pick<Models, 'Touch' | 'Event' | 'Contact'>;

type TouchRow = { contactId: string; variant: string | null; storeId: string | null; dueAt: Date; deferrals?: Array<{ from?: Date | null }> | null; sentAt: Date | null };

/** When the touch was planned at assignment. */
export const plannedAt = (t: Pick<TouchRow, 'dueAt' | 'deferrals'>): Date => t.deferrals?.[0]?.from ?? t.dueAt;

/** Each contact's first assignment (earliest exposure) in the experiment, from the ledger and the holdout rows. */
export async function loadUnits(models: DataModels, scope: Scope, experimentId: string): Promise<ExposureUnit[]> {
  const touches = await touchReads(models).ofExperiment(scope, experimentId);
  const held = await new ExperimentAssignmentRepository(models).ofExperiment(scope, experimentId);
  const first = new Map<string, ExposureUnit>();
  const offer = (u: ExposureUnit) => {
    const seen = first.get(u.contactId);
    if (!seen || u.exposedAt < seen.exposedAt) first.set(u.contactId, u);
  };
  for (const t of touches) if (t.variant) offer({ contactId: t.contactId, arm: t.variant, storeId: t.storeId ?? null, exposedAt: plannedAt(t), sentAt: t.sentAt ?? null });
  for (const h of held) offer({ contactId: h.contactId, arm: h.arm, storeId: h.storeId, exposedAt: h.assignedAt, sentAt: null });
  return [...first.values()];
}

/** The earliest exposure of an experiment so far, or null before any assignment. */
export async function firstExposure(models: DataModels, corpId: string, experimentId: string): Promise<Date | null> {
  const touches = await touchReads(models).plannedTimesOfExperiment(corpId, experimentId);
  const first = touches.reduce((min, t) => Math.min(min, plannedAt(t).getTime()), Infinity);
  return touches.length ? new Date(first) : null;
}

/**
 * The outcome events of these units' contacts for these metrics, from the earliest exposure to the end of
 * the latest window. `consent.optedOutAt` becomes a `contact.opted_out` event when `opted_out` is measured.
 */
export async function loadOutcomeEvents(models: Pick<Models, 'Event' | 'Contact'>, corpId: string, units: readonly ExposureUnit[], metrics: readonly string[], windowDays: number): Promise<OutcomeEvent[]> {
  if (!units.length) return [];
  const range = exposureRange(units);
  const from = new Date(range.first);
  const to = new Date(range.last + windowDays * DAY_MS);
  const types = eventTypesOf(metrics);
  const ids = [...new Set(units.map((u) => u.contactId))];
  const events: OutcomeEvent[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await models.Event.find({ corpId, contactId: { $in: chunk }, type: { $in: types }, occurredAt: { $gte: from, $lt: to } })
      .select('contactId type direction occurredAt payload')
      .lean();
    for (const r of rows) {
      if (r.contactId) events.push({ contactId: r.contactId, type: r.type, direction: r.direction, occurredAt: r.occurredAt, payload: (r.payload ?? {}) as Record<string, unknown> });
    }
    if (!metrics.includes('opted_out')) continue;
    const objectIds = chunk.map(toObjectId).filter((x) => x !== null);
    const optedOut = await models.Contact.find({ corpId, _id: { $in: objectIds }, 'consent.optedOut': true }).select('consent').lean();
    for (const c of optedOut) {
      const at = c.consent?.optedOutAt;
      if (at) events.push({ contactId: String(c._id), type: 'contact.opted_out', direction: 'internal', occurredAt: at, payload: { source: 'consent' } });
    }
  }
  return events;
}
