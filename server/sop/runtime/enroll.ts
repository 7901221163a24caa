/**
 * Enrolling a contact into an SOP: the re-entry rule (reentry.ts) decides whether a new run may start (the
 * rotation counter keeps every earlier run), and the unique (SOP, contact, rotation) key makes concurrent or
 * replayed triggers enroll once.
 */
import type { EnrollmentRepository } from '../ledger/index.ts';
import { waitEnd, waitRule } from '../schedule/wait.ts';
import { refusalOf } from './reentry.ts';
import type { ContactRouter } from './routing.ts';
import type { SopRecord } from './sop-registry.ts';

export type EnrollOutcome = { enrolled: true; enrollmentId: string; rotation: number } | { enrolled: false; reason: string };

/** What enrolling needs: the ledger's runs and routing. */
export type EnrollDeps = { ledger: { runs: Pick<EnrollmentRepository, 'latest' | 'start'> }; routing: Pick<ContactRouter, 'one'> };

export async function enroll(deps: EnrollDeps, sop: SopRecord, contactId: string, at: Date): Promise<EnrollOutcome> {
  const routing = await deps.routing.one(sop.corpId, contactId);
  if (!routing) return { enrolled: false, reason: 'contact_not_found' };
  const last = await deps.ledger.runs.latest(sop.corpId, sop.sopId, contactId);
  const refusal = refusalOf(sop, routing, last, at);
  if (refusal) return { enrolled: false, reason: refusal };
  const rotation = (last?.rotation ?? 0) + 1;
  const first = sop.definition.steps[0]!;
  const firstDue = first.type === 'wait' ? waitEnd(waitRule(first), routing.tz, at, at) : at;
  const enrollmentId = await deps.ledger.runs.start({
    corpId: sop.corpId,
    sopId: sop.sopId,
    contactId,
    storeId: routing.storeId,
    staffId: routing.staffId,
    tz: routing.tz,
    rotation,
    enteredAt: at,
    status: sop.status === 'paused' ? 'paused' : 'active',
    stepId: first.id,
    dueAt: firstDue,
    cursorAt: at,
  });
  return enrollmentId ? { enrolled: true, enrollmentId, rotation } : { enrolled: false, reason: 'already_enrolled' };
}
