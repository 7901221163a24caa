/**
 * The daily assignment, pure: which pool lead goes to which staff member now. Inputs are what the service
 * read (staff inside their store's working hours with the quota they have left today, their open load and
 * past acceptance; pool leads with the store their hint names and the staff who already had them); the
 * output is a list of assignments. Deterministic: the same input always gives the same plan.
 *
 * Strategies:
 * - `affinity_round_robin`: a lead whose hint names a store with capacity goes to that store's staff; every
 *   other lead goes round-robin over all staff (fewest assigned in this run first).
 * - `least_loaded`: the staff member with the fewest open leads (counting this run's).
 * - `weighted_acceptance`: shares in proportion to each staff member's smoothed acceptance rate
 *   (accepted + 1) / (requested + 2), so a newcomer starts at one half.
 */
import type { Strategy } from '../campaign.schema.ts';

export type PlanStaff = { id: string; storeId: string; capacity: number; openLoad: number; requested: number; accepted: number };
export type PlanLead = { id: string; storeId: string | null; excludeStaffIds: readonly string[] };
export type PlannedAssignment = { leadId: string; staffId: string; storeId: string };

export function acceptanceWeight(s: Pick<PlanStaff, 'requested' | 'accepted'>): number {
  return (s.accepted + 1) / (s.requested + 2);
}

export function planAssignments(strategy: Strategy, staff: readonly PlanStaff[], leads: readonly PlanLead[]): PlannedAssignment[] {
  const state = [...staff]
    .filter((s) => s.capacity > 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s, order) => ({ ...s, left: s.capacity, given: 0, order }));
  const out: PlannedAssignment[] = [];
  const score = (s: (typeof state)[number]): number => {
    switch (strategy) {
      case 'least_loaded':
        return s.openLoad + s.given;
      case 'weighted_acceptance':
        return (s.given + 1) / acceptanceWeight(s);
      default:
        return s.given;
    }
  };
  for (const lead of leads) {
    let candidates = state.filter((s) => s.left > 0 && !lead.excludeStaffIds.includes(s.id));
    if (!candidates.length) continue;
    if (strategy === 'affinity_round_robin' && lead.storeId) {
      const local = candidates.filter((s) => s.storeId === lead.storeId);
      if (local.length) candidates = local;
    }
    let best = candidates[0]!;
    for (const c of candidates) {
      const d = score(c) - score(best);
      if (d < -1e-12 || (Math.abs(d) <= 1e-12 && c.order < best.order)) best = c;
    }
    best.left--;
    best.given++;
    out.push({ leadId: lead.id, staffId: best.id, storeId: best.storeId });
    if (!state.some((s) => s.left > 0)) break;
  }
  return out;
}
