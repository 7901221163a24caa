/**
 * The campaigns domain wired once from its declared dependencies (campaign-deps.ts): campaigns, leads, the
 * daily assignment, RPA friend requests, lead attribution and the funnel. Building it registers its inbound
 * reaction (a friend add accepts its lead) and its handover participant (open leads follow a handed-over
 * customer), so buildModules creates it after live codes: reactions run in registration order.
 */
import { LeadAcceptanceRepository } from './attribution/lead-acceptance.repository.ts';
import { LeadAttribution } from './attribution/lead-attribution.ts';
import type { CampaignsDeps } from './campaign-deps.ts';
import { CampaignRepository, type CampaignDto } from './campaign.repository.ts';
import { ContactWayRepository } from './contact-way.repository.ts';
import { ContactWayService } from './contact-way.service.ts';
import { AssignmentService } from './distribution/assignment.service.ts';
import { LeadAssignmentRepository } from './distribution/lead-assignment.repository.ts';
import { campaignFunnel, type CampaignFunnel } from './funnel/funnel.service.ts';
import { ensureGreetingExperiment, greetingTexts } from './greeting.ts';
import { LeadImportService } from './import/lead-import.service.ts';
import { LeadRepository } from './lead.repository.ts';
import { RpaFriendshipService } from './rpa-friendship.service.ts';
import type { Scope } from '../shared/scope.ts';

export type CampaignsModule = ReturnType<typeof createCampaignsModule>;

export function createCampaignsModule(deps: CampaignsDeps) {
  const campaigns = new CampaignRepository(deps.models);
  const leads = new LeadRepository(deps.models, deps.clock, deps.org);
  const importer = new LeadImportService(leads, deps.contacts, deps.phones, deps.clock);
  const leadWrites = new LeadAssignmentRepository(deps.models);
  const assignment = new AssignmentService(deps, campaigns, leadWrites);
  const ways = new ContactWayRepository(deps.models);
  const attribution = new LeadAttribution(deps, new LeadAcceptanceRepository(deps.models), ways);
  const contactWays = new ContactWayService(deps, ways);
  const rpa = new RpaFriendshipService(deps, campaigns, leadWrites);

  deps.reactions.on('friend_added', { name: 'campaign-leads', react: (facts) => attribution.onFriendAdded(facts) });
  // A customer handed over to another member takes their open lead assignment along.
  deps.handoverParticipants.add({
    name: 'campaign-leads',
    moveCustomer: async (scope, move) => (await leads.reassignLeads(scope, { fromStaffId: move.fromStaffId, toStaffId: move.toStaffId, contactIds: [move.contactId] })).moved,
  });

  return {
    campaigns,
    leads,
    importer,
    assignment,
    attribution,
    contactWays,
    rpa,
    /** For the scheduler: everything a tick owes at `now` (assign, recycle, RPA sends and their acceptances). */
    async tick(corpId: string, now: Date) {
      const recycled = await assignment.recycleDue(corpId, now);
      const assigned = await assignment.assignDue(corpId, now);
      const sent = await rpa.sendDue(corpId, now);
      const rpaAccepted = await rpa.matchAccepted(corpId);
      return { ...recycled, assigned: assigned.assigned, rpaSent: sent.sent, rpaFailed: sent.failed, rpaAccepted };
    },
    /** Keeps the greeting experiment in step with the greetings (created once there are two). */
    async withGreetingExperiment(scope: Scope, campaign: CampaignDto): Promise<CampaignDto> {
      const experimentId = await ensureGreetingExperiment(deps, campaign);
      if (experimentId && experimentId !== campaign.experimentId) return campaigns.update(scope, campaign.id, { experimentId });
      return campaign;
    },
    funnel: (scope: Scope, campaign: CampaignDto): Promise<CampaignFunnel> => campaignFunnel({ ...deps, leads }, scope, campaign),
    /** Greeting id → text to paste (the phone page). */
    greetingTexts: (campaign: CampaignDto) => greetingTexts(deps, campaign),
  };
}
