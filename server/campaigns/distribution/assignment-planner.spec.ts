import { expect } from 'chai';
import { acceptanceWeight, planAssignments, type PlanLead, type PlanStaff } from './assignment-planner.ts';

const staff = (id: string, storeId: string, extra: Partial<PlanStaff> = {}): PlanStaff => ({ id, storeId, capacity: 10, openLoad: 0, requested: 0, accepted: 0, ...extra });
const leads = (n: number, storeId: string | null = null, exclude: string[] = []): PlanLead[] => Array.from({ length: n }, (_, i) => ({ id: `${storeId ?? 'x'}${i}`, storeId, excludeStaffIds: exclude }));
const count = (plan: ReturnType<typeof planAssignments>) => plan.reduce<Record<string, number>>((m, a) => ({ ...m, [a.staffId]: (m[a.staffId] ?? 0) + 1 }), {});

describe('planAssignments', () => {
  it('affinity then round-robin: hinted leads stay in their store, the rest spread evenly', () => {
    const plan = planAssignments('affinity_round_robin', [staff('s1', 'A'), staff('s2', 'A'), staff('s3', 'B')], [...leads(4, 'A'), ...leads(5)]);
    expect(plan.filter((a) => a.leadId.startsWith('A')).every((a) => a.storeId === 'A')).to.equal(true);
    expect(count(plan)).to.deep.equal({ s1: 3, s2: 3, s3: 3 });
  });

  it('falls back to any store when the hinted store has no capacity left', () => {
    const plan = planAssignments('affinity_round_robin', [staff('s1', 'A', { capacity: 1 }), staff('s3', 'B')], leads(3, 'A'));
    expect(count(plan)).to.deep.equal({ s1: 1, s3: 2 });
  });

  it('never exceeds capacity and never gives a lead back to someone who had it', () => {
    const plan = planAssignments('affinity_round_robin', [staff('s1', 'A', { capacity: 2 }), staff('s2', 'A', { capacity: 0 })], [...leads(3, null, ['s1']), ...leads(5, 'A')]);
    expect(plan).to.have.length(2);
    expect(plan.every((a) => a.staffId === 's1' && a.leadId.startsWith('A'))).to.equal(true);
  });

  it('least-loaded fills the emptiest hands first', () => {
    const plan = planAssignments('least_loaded', [staff('s1', 'A', { openLoad: 5 }), staff('s2', 'A', { openLoad: 0 }), staff('s3', 'A', { openLoad: 2 })], leads(6));
    // Open loads go 0 → 4 and 2 → 4; s1, already at 5, gets none.
    expect(count(plan)).to.deep.equal({ s2: 4, s3: 2 });
  });

  it('weighted by acceptance: shares follow (accepted + 1) / (requested + 2)', () => {
    const good = staff('good', 'A', { requested: 18, accepted: 14, capacity: 100 }); // 15/20 = 0.75
    const poor = staff('poor', 'A', { requested: 18, accepted: 4, capacity: 100 }); // 5/20 = 0.25
    expect(acceptanceWeight(good)).to.equal(0.75);
    expect(count(planAssignments('weighted_acceptance', [good, poor], leads(40)))).to.deep.equal({ good: 30, poor: 10 });
  });

  it('is deterministic', () => {
    const input = [staff('b', 'A'), staff('a', 'B'), staff('c', 'A')];
    expect(planAssignments('affinity_round_robin', input, leads(7))).to.deep.equal(planAssignments('affinity_round_robin', [...input].reverse(), leads(7)));
  });
});
