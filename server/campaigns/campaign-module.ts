/**
 * The campaigns domain wired over the app's services: built once per services object (the routes, the CLI and
 * the scheduler share it), and registered as a friend_added reaction when the services are built.
 */
import type { Modules } from '../modules.ts';
import { LeadAttribution } from './attribution/lead-attribution.ts';
import { CampaignRepository } from './campaign.repository.ts';
import { ContactWayService } from './contact-way.service.ts';
import { AssignmentService } from './distribution/assignment.service.ts';
import { LeadImportService } from './import/lead-import.service.ts';
import { LeadRepository } from './lead.repository.ts';
import { RpaFriendshipService } from './rpa-friendship.service.ts';

export class CampaignModule {
  readonly campaigns: CampaignRepository;
  readonly leads: LeadRepository;
  readonly importer: LeadImportService;
  readonly assignment: AssignmentService;
  readonly attribution: LeadAttribution;
  readonly contactWays: ContactWayService;
  readonly rpa: RpaFriendshipService;

  constructor(services: Modules) {
    const m = services.db.models;
    this.campaigns = new CampaignRepository(m);
    this.leads = new LeadRepository(m, services.clock, services.org);
    this.importer = new LeadImportService(m, services.phones, services.clock);
    this.assignment = new AssignmentService(services, this.campaigns);
    this.attribution = new LeadAttribution(services);
    this.contactWays = new ContactWayService(services);
    this.rpa = new RpaFriendshipService(services, this.campaigns);
  }

  /** For the scheduler: everything a tick owes at `now` (assign, recycle, RPA sends and their acceptances). */
  async tick(corpId: string, now: Date) {
    const recycled = await this.assignment.recycleDue(corpId, now);
    const assigned = await this.assignment.assignDue(corpId, now);
    const rpa = await this.rpa.sendDue(corpId, now);
    const rpaAccepted = await this.rpa.matchAccepted(corpId);
    return { ...recycled, assigned: assigned.assigned, rpaSent: rpa.sent, rpaFailed: rpa.failed, rpaAccepted };
  }
}

const modules = new WeakMap<object, CampaignModule>();

/** The campaign module of these services (one per services object). */
export function campaignsOf(services: Modules): CampaignModule {
  let module = modules.get(services);
  if (!module) {
    module = new CampaignModule(services);
    modules.set(services, module);
  }
  return module;
}

/** Called where the services are built: attribution of friend adds to leads. */
export function registerCampaignListeners(services: Modules): void {
  services.reactions.on('friend_added', { name: 'campaign-leads', react: (facts) => campaignsOf(services).attribution.onFriendAdded(facts) });
  // A customer handed over to another member takes their open lead assignment along.
  services.handoverParticipants.add({
    name: 'campaign-leads',
    moveCustomer: async (scope, move) => (await campaignsOf(services).leads.reassignLeads(scope, { fromStaffId: move.fromStaffId, toStaffId: move.toStaffId, contactIds: [move.contactId] })).moved,
  });
}
