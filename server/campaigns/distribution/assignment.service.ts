/**
 * The daily assignment and recycling, callable for any instant (the scheduler calls them every few minutes;
 * tests pin days and zones). `assignDue` gives pool leads of running campaigns to staff whose store is inside
 * the campaign's working hours, up to the quota left for the store-local day (the campaign's daily quota,
 * and the staff member's own add-friend quota across campaigns). `recycleDue` takes back leads not accepted
 * within `recycle.afterDays`: to the pool for someone else, or `exhausted` after `recycle.maxAttempts`.
 */
import { localDate } from '../../shared/local-date.ts';
import { corpScope } from '../../shared/scope.ts';
import type { CampaignsDeps } from '../campaign-deps.ts';
import type { CampaignDto } from '../campaign.repository.ts';
import { pickGreeting, recordGreetingExposure } from '../greeting.ts';
import type { CampaignRepository } from '../campaign.repository.ts';
import type { LeadAssignmentRepository } from './lead-assignment.repository.ts';
import { planAssignments, type PlanLead, type PlanStaff } from './assignment-planner.ts';
import { withinWorkingHours } from './working-hours.ts';

const DAY_MS = 86_400_000;

export type AssignSummary = { assigned: number; campaigns: Array<{ campaignId: string; assigned: number }> };

export class AssignmentService {
  constructor(
    private readonly deps: Pick<CampaignsDeps, 'org' | 'experiments' | 'content'>,
    private readonly campaigns: CampaignRepository,
    private readonly leads: LeadAssignmentRepository,
  ) {}

  async assignDue(corpId: string, now: Date, opts: { campaignId?: string } = {}): Promise<AssignSummary> {
    const running = (await this.campaigns.list(corpScope(corpId), { status: 'running' })).filter((c) => !opts.campaignId || c.id === opts.campaignId);
    const out: AssignSummary = { assigned: 0, campaigns: [] };
    for (const campaign of running) {
      // RPA campaigns send their own requests (rpa-friendship.service.ts); staff get the others.
      if (campaign.rpaAccountIds.length) continue;
      const n = await this.assignCampaign(campaign, now);
      out.assigned += n;
      out.campaigns.push({ campaignId: campaign.id, assigned: n });
    }
    return out;
  }

  private async assignCampaign(campaign: CampaignDto, now: Date): Promise<number> {
    const corpId = campaign.corpId;
    const stores = (await this.deps.org.listStores(corpScope(corpId))).filter((s) => !campaign.storeIds.length || campaign.storeIds.includes(s.id));
    const open = stores.filter((s) => withinWorkingHours(now, s.timezone, campaign.workingHours));
    if (!open.length) return 0;
    const dayOf = new Map(open.map((s) => [s.id, localDate(now, s.timezone)]));
    const staff = (await this.deps.org.activeStaffOfStores(corpId, open.map((s) => s.id))).map((s) => ({ id: s.id, storeId: s.storeId, quota: s.quotas.addFriendsPerDay }));
    if (!staff.length) return 0;
    const ids = staff.map((s) => s.id);
    const today = await this.leads.assignedPerDay(corpId, ids, [...new Set(dayOf.values())]);
    const stats = await this.leads.staffStats(corpId, ids);
    const statOf = new Map(stats.map((s) => [s._id, s]));
    const plans: PlanStaff[] = staff.map((s) => {
      const day = dayOf.get(s.storeId);
      const mine = today.filter((t) => t._id.staffId === s.id && t._id.day === day);
      const inCampaign = mine.filter((t) => t._id.campaignId === campaign.id).reduce((n, t) => n + t.n, 0);
      const overall = mine.reduce((n, t) => n + t.n, 0);
      const st = statOf.get(s.id);
      return { id: s.id, storeId: s.storeId, capacity: Math.max(0, Math.min(campaign.dailyQuota - inCampaign, s.quota - overall)), openLoad: st?.open ?? 0, requested: st?.requested ?? 0, accepted: st?.accepted ?? 0 };
    });
    const room = plans.reduce((n, p) => n + p.capacity, 0);
    if (!room) return 0;
    const storeByHint = new Map<string, string>();
    for (const s of stores) for (const k of [s.id, s.code, s.name]) storeByHint.set(k.toLowerCase(), s.id);
    const pool = await this.leads.pool(corpId, campaign.id, room * 3 + 100);
    const leads: PlanLead[] = pool.map((l) => ({ id: l.id, storeId: storeByHint.get((l.storeHint ?? '').toLowerCase()) ?? null, excludeStaffIds: l.historyStaffIds }));
    const plan = planAssignments(campaign.strategy, plans, leads);
    const attemptsOf = new Map(pool.map((l) => [l.id, l.historyStaffIds.length]));
    let assigned = 0;
    for (const a of plan) {
      const greeting = await pickGreeting(this.deps, campaign, a.leadId);
      const ok = await this.leads.assign(corpId, a.leadId, { staffId: a.staffId, storeId: a.storeId, greeting, at: now, day: dayOf.get(a.storeId) ?? null, first: !attemptsOf.get(a.leadId) });
      if (!ok) continue;
      assigned++;
      await recordGreetingExposure(this.deps, campaign, { leadId: a.leadId, greeting, storeId: a.storeId, at: now });
    }
    return assigned;
  }

  async recycleDue(corpId: string, now: Date): Promise<{ recycled: number; exhausted: number }> {
    const running = await this.campaigns.list(corpScope(corpId), { status: 'running' });
    let recycled = 0;
    let exhausted = 0;
    for (const c of running) {
      const due = await this.leads.dueForRecycle(corpId, c.id, new Date(now.getTime() - c.recycle.afterDays * DAY_MS));
      for (const l of due) {
        const done = l.attempts >= c.recycle.maxAttempts;
        if (!(await this.leads.recycle(l, done, now))) continue;
        if (done) exhausted++;
        else recycled++;
      }
    }
    return { recycled, exhausted };
  }
}
