/**
 * Enrolling a contact into an SOP: re-entry rules decide whether a new run may start (the rotation counter
 * keeps every earlier run), suppression keeps opted-out and unreachable contacts out, and the unique
 * (SOP, contact, rotation) key makes concurrent or replayed triggers enroll once.
 */
import { isDuplicateKeyError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import type { SopRecord } from './sop-registry.ts';
import { contactRouting } from './routing.ts';
import { waitEnd, waitRule } from '../schedule/wait.ts';

export type EnrollOutcome = { enrolled: true; enrollmentId: string; rotation: number } | { enrolled: false; reason: string };

const DAY = 86_400_000;

export async function enroll(services: Services, sop: SopRecord, contactId: string, at: Date): Promise<EnrollOutcome> {
  const m = services.db.models;
  const routing = await contactRouting(services, sop.corpId, contactId);
  if (!routing) return { enrolled: false, reason: 'contact_not_found' };
  if (sop.definition.subject === 'contact' && (routing.optedOut || !routing.reachable)) return { enrolled: false, reason: routing.optedOut ? 'opted_out' : 'unreachable' };
  const last = await m.Enrollment.findOne({ corpId: sop.corpId, sopId: sop.sopId, contactId }).sort({ rotation: -1 }).lean();
  if (last) {
    const rule = sop.definition.reentry;
    if (last.status === 'active' || last.status === 'paused') return { enrolled: false, reason: 'already_enrolled' };
    if (rule.mode === 'never') return { enrolled: false, reason: 'reentry_never' };
    if (rule.mode === 'after_completion' && last.status !== 'completed') return { enrolled: false, reason: 'reentry_after_completion' };
    if (rule.mode === 'after_days' && at.getTime() - last.enteredAt.getTime() < rule.days * DAY) return { enrolled: false, reason: 'reentry_too_soon' };
  }
  const rotation = (last?.rotation ?? 0) + 1;
  const first = sop.definition.steps[0]!;
  const firstDue = first.type === 'wait' ? waitEnd(waitRule(first), routing.tz, at, at) : at;
  try {
    const doc = await m.Enrollment.create({
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
    return { enrolled: true, enrollmentId: String(doc._id), rotation };
  } catch (err) {
    if (isDuplicateKeyError(err)) return { enrolled: false, reason: 'already_enrolled' };
    throw err;
  }
}
