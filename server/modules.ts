/**
 * Builds every repository and service from the database and config: the one place where the object graph
 * is wired. Tests build it with their own clock and keys.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../adapters/channel-adapter.ts';
import { createAdapter } from '../adapters/registry.ts';
import { TokenService } from './auth/token.service.ts';
import { createSopModule } from './sop/index.ts';
import { createDailyModule } from './daily/index.ts';
import { ChannelAccountRepository, type ChannelAccount } from './channels/channel-account.repository.ts';
import { InboundInbox } from './channels/inbound-inbox.ts';
import { CallbackGuard } from './channels/callback-guard.ts';
import type { Config } from './config.ts';
import { InboundReactions } from './channels/index.ts';
import { HandoverParticipants } from './handover/handover-participants.ts';
import { wireHandoverReactions } from './handover/index.ts';
import { ContactIdentityService } from './contacts/contact-identity.service.ts';
import { ContactChannelState, ContactRepository } from './contacts/contact.repository.ts';
import { ContentService } from './content/content.service.ts';
import { FollowRepository } from './contacts/follow.repository.ts';
import { PhoneVault } from './contacts/phone.ts';
import { pingDatabase, type Database } from './db/database.ts';
import { EventLogRepository } from './events/event-log.repository.ts';
import { wireLiveCodes } from './live-codes/live-code-wiring.ts';
import { registerCampaignListeners } from './campaigns/campaign-module.ts';
import { ExperimentService } from './experiments/experiment.service.ts';
import { CustomerGroupRepository } from './groups/customer-group.repository.ts';
import { createOrgModule } from './org/index.ts';
import type { Clock } from './shared/clock.ts';
import type { Metrics } from './system/metrics.ts';
import { createTasksModule } from './tasks/index.ts';
import { TagRepository } from './tags/tag.repository.ts';

export type ModuleDeps = {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  keys: { phoneKeyHex: string; hashKeyHex: string };
  /** Builds the adapter for a channel account; adapters/registry.ts unless a caller wraps it. */
  adapterFactory?: (account: ChannelAccount) => ChannelAdapter;
};

export function buildModules(deps: ModuleDeps) {
  const core = buildServiceGraph(deps);
  const sop = createSopModule(core);
  const withSop = { ...core, sop, ledger: sop.ledger, routing: sop.routing, runFacts: sop.runFacts, sops: sop.registry };
  const services = { ...withSop, daily: createDailyModule({ ...withSop, models: core.db.models, touches: sop.ledger.touches }) };
  // Live codes add the first friend_added reaction: a welcome code lives 20 s.
  const built = { ...services, liveCodes: wireLiveCodes(services) };
  // Campaign lead attribution comes after live codes (see inbound-reactions.ts).
  registerCampaignListeners(built);
  wireHandoverReactions({ reactions: built.reactions, models: built.db.models, clock: built.clock });
  return built;
}

function buildServiceGraph(deps: ModuleDeps) {
  const { db, clock, metrics } = deps;
  const m = db.models;
  const org = createOrgModule({ models: m, clock });
  const phones = new PhoneVault(deps.keys);
  const content = new ContentService(m, { contacts: new ContactRepository(m), org, clock });
  const tags = new TagRepository(m, clock);
  const contacts = new ContactRepository(m);
  return {
    ...deps,
    org,
    phones,
    tags,
    content,
    contacts,
    contactChannels: new ContactChannelState(m),
    identities: new ContactIdentityService(m, phones, clock),
    follows: new FollowRepository(m, clock),
    groups: new CustomerGroupRepository(m),
    events: new EventLogRepository(m, clock, (e) => metrics.events.inc({ channel: e.channel, type: e.type, duplicate: String(e.duplicate) })),
    tokens: new TokenService(m, org, clock, deps.config.security.adminToken),
    /** Every staff-task write goes through the tasks module (server/tasks/index.ts). */
    tasks: createTasksModule({ models: m, clock }),
    experiments: new ExperimentService(m, clock, org),
    channelAccounts: new ChannelAccountRepository(m),
    inbox: new InboundInbox(m, clock),
    /** Freshness and replay checks on verified callbacks (see callback-guard.ts). */
    callbackGuard: new CallbackGuard(m, clock, deps.config.channels.callbackMaxSkewSeconds),
    // Adapters keep the app's clock (token expiry, lookback windows), so pinned time in tests is one time.
    adapterFor: cachedAdapters(deps.adapterFactory ?? ((account) => createAdapter(account, { clientOptions: { clock } }))),
    /** What other domains do with an inbound event once it is stored: live codes, campaigns, handover (see inbound-reactions.ts). */
    reactions: new InboundReactions(deps.logger),
    /** Records that follow a customer handed over to another member (campaign leads …); see handover-participants.ts. */
    handoverParticipants: new HandoverParticipants(),
    /** In-process wake-ups: 'inbound' after a callback is recorded, so a local processor starts at once. */
    signals: new EventEmitter(),
    dbUp: () => pingDatabase(db),
  };
}

export type Modules = ReturnType<typeof buildModules>;

/** One adapter per account and config, so token caches and throttles live as long as the process. */
function cachedAdapters(factory: (account: ChannelAccount) => ChannelAdapter): (account: ChannelAccount) => ChannelAdapter {
  const cache = new Map<string, { account: ChannelAccount; config: string; adapter: ChannelAdapter }>();
  return (account) => {
    const hit = cache.get(account.id);
    // The account resolver hands out the same object until it re-reads the account: no need to compare configs.
    if (hit && hit.account === account) return hit.adapter;
    const config = JSON.stringify(account.config);
    if (hit && hit.config === config) {
      hit.account = account;
      return hit.adapter;
    }
    const adapter = factory(account);
    cache.set(account.id, { account, config, adapter });
    return adapter;
  };
}
