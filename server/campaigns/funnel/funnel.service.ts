/**
 * Reads a campaign's leads and their contacts' outcomes, and builds the funnel, the breakdowns and the
 * leaderboard. Outcomes come from the event log through the experiments' own loader and attribution
 * (experiment-data.ts, outcomes.ts): replies and conversions within 30 days of acceptance, a customer's
 * deletion within 7.
 */
import { attribute, type ExposureUnit } from '../../experiments/index.ts';
import type { CampaignsDeps } from '../campaign-deps.ts';
import { corpScope, type Scope } from '../../shared/scope.ts';
import type { CampaignDto } from '../campaign.repository.ts';
import type { LeadRepository } from '../lead.repository.ts';
import { breakdown, countFunnel, type Breakdown, type FunnelCounts, type FunnelLead } from './funnel.ts';

export const OUTCOME_WINDOW_DAYS = 30;
const DELETE_WINDOW_DAYS = 7;

export type CampaignFunnel = {
  campaignId: string;
  totals: FunnelCounts;
  by: { store: Breakdown; staff: Breakdown; greeting: Breakdown; source: Breakdown };
  names: { stores: Record<string, string>; staff: Record<string, string> };
  leaderboard: Array<{ rank: number; staffId: string; name: string; storeId: string | null; store: string; accepted: number; requested: number; addRate: number | null; replied: number }>;
};

export type FunnelDeps = Pick<CampaignsDeps, 'org' | 'experiments'> & { leads: Pick<LeadRepository, 'funnelRows'> };

export async function campaignFunnel(deps: FunnelDeps, scope: Scope, campaign: CampaignDto): Promise<CampaignFunnel> {
  const rows = await deps.leads.funnelRows(scope, campaign.id);
  const units: ExposureUnit[] = rows
    .filter((r) => r.acceptedAt && r.contactId)
    .map((r) => ({ contactId: r.contactId!, arm: r.greeting ?? '', storeId: r.acceptedStoreId ?? null, exposedAt: r.acceptedAt!, sentAt: null }));
  const events = await deps.experiments.outcomeEvents(scope.corpId, units, ['reply', 'conversion'], OUTCOME_WINDOW_DAYS);
  const outcomes = new Map(attribute(units, events, { metrics: ['reply', 'conversion'], windowDays: OUTCOME_WINDOW_DAYS, experimentId: campaign.experimentId ?? '' }).map((u) => [u.contactId, u.outcomes]));
  const deletions = (await deps.experiments.outcomeEvents(scope.corpId, units, ['friend_deleted'], DELETE_WINDOW_DAYS)).filter((e) => e.type === 'friend_deleted_by_customer');
  const deleted = new Set(attribute(units, deletions, { metrics: ['friend_deleted'], windowDays: DELETE_WINDOW_DAYS, experimentId: '' }).filter((u) => u.outcomes.friend_deleted).map((u) => u.contactId));

  const leads: FunnelLead[] = rows.map((r) => {
    const o = r.contactId && r.acceptedAt ? outcomes.get(r.contactId) : undefined;
    return {
      origin: r.origin === 'scan' ? 'scan' : 'import',
      storeId: r.acceptedStoreId ?? r.storeId ?? null,
      staffId: r.acceptedStaffId ?? r.staffId ?? null,
      greeting: r.greeting ?? null,
      source: r.origin === 'scan' ? 'contact_way' : (r.source ?? ''),
      assigned: r.firstAssignedAt != null,
      requested: r.requestedAt != null,
      accepted: r.acceptedAt != null,
      replied: Boolean(o?.reply),
      converted: Boolean(o?.conversion),
      deletedWithin7d: Boolean(r.contactId && r.acceptedAt && deleted.has(r.contactId)),
    };
  });
  const stores = Object.fromEntries((await deps.org.listStores({ corpId: scope.corpId, storeIds: null })).map((s) => [s.id, s.name]));
  const staffRows = await deps.org.listStaff(corpScope(scope.corpId));
  const staffNames = Object.fromEntries(staffRows.map((s) => [s.id, s.name]));
  const staffStore = new Map(staffRows.map((s) => [s.id, s.storeId]));
  const byStaff = breakdown(leads, 'staff', campaign.costs);
  const leaderboard = byStaff
    .filter((r) => r.key !== null)
    .map((r, i) => ({ rank: i + 1, staffId: r.key!, name: staffNames[r.key!] ?? r.key!, storeId: staffStore.get(r.key!) ?? null, store: stores[staffStore.get(r.key!) ?? ''] ?? '', accepted: r.accepted, requested: r.requested, addRate: r.addRate, replied: r.replied }));
  return {
    campaignId: campaign.id,
    totals: countFunnel(leads, campaign.costs),
    by: { store: breakdown(leads, 'store', campaign.costs), staff: byStaff, greeting: breakdown(leads, 'greeting', campaign.costs), source: breakdown(leads, 'source', campaign.costs) },
    names: { stores, staff: staffNames },
    leaderboard,
  };
}
