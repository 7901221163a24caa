/**
 * The one rule for whether a subject may start a new run of an SOP: suppression keeps opted-out and unreachable
 * contacts out, and re-entry rules decide from the subject's latest run. `enroll()` (one contact) and
 * `bulkEnroll()` (an audience) both ask here, so they refuse the same contacts for the same reasons.
 */
import type { PastRun } from '../ledger/index.ts';
import type { SopRecord } from './sop-registry.ts';

const DAY = 86_400_000;

/** Why no new run may start, or null. */
export function refusalOf(sop: Pick<SopRecord, 'definition'>, consent: { optedOut: boolean; reachable: boolean }, last: Pick<PastRun, 'status' | 'enteredAt'> | null | undefined, at: Date): string | null {
  if (sop.definition.subject === 'contact') {
    if (consent.optedOut) return 'opted_out';
    if (!consent.reachable) return 'unreachable';
  }
  if (!last) return null;
  const rule = sop.definition.reentry;
  if (last.status === 'active' || last.status === 'paused') return 'already_enrolled';
  if (rule.mode === 'never') return 'reentry_never';
  if (rule.mode === 'after_completion' && last.status !== 'completed') return 'reentry_after_completion';
  if (rule.mode === 'after_days' && at.getTime() - last.enteredAt.getTime() < rule.days * DAY) return 'reentry_too_soon';
  return null;
}
