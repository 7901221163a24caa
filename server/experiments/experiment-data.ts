/**
 * What the results are computed from, read from the database: the assigned units and their outcome events.
 * A unit of an SOP experiment is the first touch of a contact in the experiment (the ledger written at
 * assignment); a holdout unit is its `experiment_assignments` row. The exposure time is when the touch was
 * planned for at assignment (its first deferral's `from`, else its `dueAt`): the runner writes it with the
 * injected clock, while `createdAt` comes from the wall clock and would disagree with every event time of a
 * replay or a pinned-clock test. `sentAt` (staff confirmed / vendor accepted) is only the "sent" funnel step.
 */
import type { Scope } from '../shared/scope.ts';
import type { ExperimentAssignmentRepository } from './experiment-assignment.repository.ts';
import { eventTypesOf, exposureRange, type ExposureUnit, type OutcomeEvent } from './outcomes.ts';

const DAY_MS = 86_400_000;
const CHUNK = 1000;

type PlannedTouch = { dueAt: Date; deferrals?: Array<{ from?: Date | null }> | null };
type TouchRow = PlannedTouch & { contactId: string; variant?: string | null; storeId?: string | null; sentAt?: Date | null };

/** Where the units and outcomes are read from: the SOP ledger's touches, the holdout rows, the event log, contacts. */
export type ExperimentSources = {
  touches: { ofExperiment(scope: Scope, experimentId: string): Promise<TouchRow[]>; plannedTimesOfExperiment(corpId: string, experimentId: string): Promise<PlannedTouch[]> };
  assignments: Pick<ExperimentAssignmentRepository, 'ofExperiment'>;
  events: { ofContactsBetween(corpId: string, contactIds: string[], types: string[], from: Date, to: Date): Promise<OutcomeEvent[]> };
  contacts: { optOutTimes(corpId: string, ids: string[]): Promise<Array<{ contactId: string; at: Date }>> };
};

/** When the touch was planned at assignment. */
export const plannedAt = (t: PlannedTouch): Date => t.deferrals?.[0]?.from ?? t.dueAt;

/** Each contact's first assignment (earliest exposure) in the experiment, from the ledger and the holdout rows. */
export async function loadUnits(sources: Pick<ExperimentSources, 'touches' | 'assignments'>, scope: Scope, experimentId: string): Promise<ExposureUnit[]> {
  const touches = await sources.touches.ofExperiment(scope, experimentId);
  const held = await sources.assignments.ofExperiment(scope, experimentId);
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
export async function firstExposure(sources: Pick<ExperimentSources, 'touches'>, corpId: string, experimentId: string): Promise<Date | null> {
  const touches = await sources.touches.plannedTimesOfExperiment(corpId, experimentId);
  const first = touches.reduce((min, t) => Math.min(min, plannedAt(t).getTime()), Infinity);
  return touches.length ? new Date(first) : null;
}

/**
 * The outcome events of these units' contacts for these metrics, from the earliest exposure to the end of
 * the latest window. `consent.optedOutAt` becomes a `contact.opted_out` event when `opted_out` is measured.
 */
export async function loadOutcomeEvents(sources: Pick<ExperimentSources, 'events' | 'contacts'>, corpId: string, units: readonly ExposureUnit[], metrics: readonly string[], windowDays: number): Promise<OutcomeEvent[]> {
  if (!units.length) return [];
  const range = exposureRange(units);
  const from = new Date(range.first);
  const to = new Date(range.last + windowDays * DAY_MS);
  const types = eventTypesOf(metrics);
  const ids = [...new Set(units.map((u) => u.contactId))];
  const events: OutcomeEvent[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    for (const e of await sources.events.ofContactsBetween(corpId, chunk, types, from, to)) events.push(e);
    if (!metrics.includes('opted_out')) continue;
    for (const c of await sources.contacts.optOutTimes(corpId, chunk)) events.push({ contactId: c.contactId, type: 'contact.opted_out', direction: 'internal', occurredAt: c.at, payload: { source: 'consent' } });
  }
  return events;
}
