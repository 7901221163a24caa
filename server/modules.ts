/**
 * Builds every repository and service from the database and config: the one place where the object graph
 * is wired. Tests build it with their own clock and keys.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../adapters/channel-adapter.ts';
import { createAdapter, describeVendorError, touchChannelOf } from '../adapters/registry.ts';
import { createAuthModule, type AuthModule, type StaffOAuth, registerAuthModels } from './auth/index.ts';
import { createSopLedger, createSopModule, type SopModule, registerSopModels } from './sop/index.ts';
import { createDailyModule, type DailyModule, registerDailyModels } from './daily/index.ts';
import type { Config } from './config.ts';
import { createChannelsModule, type ChannelAccount, type ChannelsModule, registerChannelsModels } from './channels/index.ts';
import { createHandoverModule, type HandoverModule, registerHandoverModels } from './handover/index.ts';
import { createContactsModule, optOutOnStopReply, type ContactsModule, registerContactsModels } from './contacts/index.ts';
import { createContentModule, type ContentModule, registerContentModels } from './content/index.ts';
import type { Connection } from 'mongoose';
import { pingDatabase, type Database } from './db/database.ts';

import { createEventsModule, type EventsModule, registerEventsModels } from './events/index.ts';
import { createLiveCodesModule, type LiveCodesModule, registerLiveCodesModels } from './live-codes/index.ts';
import { createSidebarModule, type SidebarModule, registerSidebarModels } from './sidebar/index.ts';
import { createCampaignsModule, type CampaignsModule, registerCampaignsModels } from './campaigns/index.ts';
import { createExperimentsModule, type ExperimentsModule, registerExperimentsModels } from './experiments/index.ts';
import { createGroupsModule, type GroupsModule, registerGroupsModels } from './groups/index.ts';
import { createOrgModule, type OrgModule, registerOrgModels } from './org/index.ts';
import type { Clock } from './shared/clock.ts';
import type { Metrics } from './system/metrics.ts';
import { createHeartbeats, type Heartbeats, registerSystemModels } from './system/heartbeat.repository.ts';
import { createTasksModule, type TasksModule, registerTasksModels } from './tasks/index.ts';
import { createTagsModule, type TagsModule, registerTagsModels } from './tags/index.ts';
import { createKfModule, type KfModule, registerKfModels } from './kf/index.ts';
import type { SetupDeps } from './setup/index.ts';

/**
 * Every domain's schemas on one connection (each domain registers its own collections; this is only the list),
 * so `openDatabase(uri, name, registerModels)` builds every index once when the database opens.
 */
export function registerModels(conn: Connection) {
  return {
    ...registerOrgModels(conn),
    ...registerTagsModels(conn),
    ...registerContactsModels(conn),
    ...registerGroupsModels(conn),
    ...registerEventsModels(conn),
    ...registerAuthModels(conn),
    ...registerSystemModels(conn),
    ...registerDailyModels(conn),
    ...registerSopModels(conn),
    ...registerTasksModels(conn),
    ...registerChannelsModels(conn),
    ...registerContentModels(conn),
    ...registerExperimentsModels(conn),
    ...registerSidebarModels(conn),
    ...registerHandoverModels(conn),
    ...registerLiveCodesModels(conn),
    ...registerCampaignsModels(conn),
    ...registerKfModels(conn),
  };
}

export type Models = ReturnType<typeof registerModels>;

export type ModuleDeps = {
  config: Config;
  db: Database<Models>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  keys: { phoneKeyHex: string; hashKeyHex: string };
  /** Builds the adapter for a channel account; adapters/registry.ts unless a caller wraps it. */
  adapterFactory?: (account: ChannelAccount) => ChannelAdapter;
};

/**
 * The composed application: one face per domain, plus the process-wide parts (config, clock, logger, metrics)
 * composition files hand on. No database handle and no models: those stay inside the modules that own them.
 * Some parts of a face are also listed under the names older code reads (`contacts`, `tokens`, `ledger` …).
 */
export type Modules = {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  keys: ModuleDeps['keys'];
  /** Whether the database answers (health checks). */
  dbUp(): Promise<boolean>;
  heartbeats: Heartbeats;

  org: OrgModule;
  auth: AuthModule;
  tokens: AuthModule['tokens'];
  tags: TagsModule;
  groups: GroupsModule;
  events: EventsModule;
  contacts: ContactsModule['contacts'];
  contactChannels: ContactsModule['channelState'];
  identities: ContactsModule['identities'];
  follows: ContactsModule['follows'];
  phones: ContactsModule['phones'];
  contactSegments: ContactsModule['segments'];
  content: ContentModule;
  tasks: TasksModule;
  kf: KfModule;
  experiments: ExperimentsModule;

  channels: ChannelsModule;
  channelAccounts: ChannelsModule['accounts'];
  inbox: ChannelsModule['inbox'];
  callbackGuard: ChannelsModule['callbackGuard'];
  syncRuns: ChannelsModule['syncRuns'];
  adapterFor: ChannelsModule['adapterFor'];
  reactions: ChannelsModule['reactions'];
  signals: ChannelsModule['signals'];
  /** Which channel kind carries an SOP step channel, and how (adapters/registry.ts). */
  touchChannelOf: typeof touchChannelOf;

  sop: SopModule;
  ledger: SopModule['ledger'];
  routing: SopModule['routing'];
  runFacts: SopModule['runFacts'];
  sops: SopModule['registry'];
  daily: DailyModule;
  handover: HandoverModule;
  handoverParticipants: HandoverModule['participants'];
  liveCodes: LiveCodesModule;
  sidebar: SidebarModule;
  campaigns: CampaignsModule;
};

export function buildModules(deps: ModuleDeps): Modules {
  const core = buildServiceGraph(deps);
  const sop = createSopModule(core);
  const withSop = { ...core, sop, ledger: sop.ledger, routing: sop.routing, runFacts: sop.runFacts, sops: sop.registry };
  const services = { ...withSop, daily: createDailyModule({ ...withSop, models: core.db.models, touches: sop.ledger.touches }) };
  // Handover owns friend_transfer_failed; `handoverParticipants` stays for campaigns until they take the module.
  const handover = createHandoverModule({ ...services, models: services.db.models });
  // Live codes add the first friend_added reaction: a welcome code lives 20 s.
  const built = { ...services, handover, handoverParticipants: handover.participants, liveCodes: createLiveCodesModule({ ...services, models: services.db.models }), sidebar: createSidebarModule({ ...services, models: services.db.models }) };
  // Campaign lead attribution comes after live codes (see inbound-reactions.ts).
  const campaigns = createCampaignsModule({ ...built, models: built.db.models });
  const { db: _db, adapterFactory: _adapters, ...graph } = { ...built, campaigns };
  return graph;
}

function buildServiceGraph(deps: ModuleDeps) {
  const { db, clock, metrics } = deps;
  const m = db.models;
  const org = createOrgModule({ models: m, clock });
  const tags = createTagsModule({ models: m, clock });
  const groups = createGroupsModule({ models: m });
  const events = createEventsModule({ models: m, clock, onAppend: (e) => metrics.events.inc({ channel: e.channel, type: e.type, duplicate: String(e.duplicate) }) });
  const people = createContactsModule({ models: m, clock, keys: deps.keys, events, groups });
  const { contacts, phones } = people;
  const content = createContentModule({ models: m, contacts, org, clock });
  const ledger = createSopLedger(db);
  const { channelState: contactChannels, identities, follows } = people;
  const channels = createChannelsModule({
    models: m,
    config: deps.config.channels,
    clock,
    logger: deps.logger,
    metrics,
    org,
    identities,
    contactChannels,
    follows,
    groups,
    tags,
    events,
    optOutReply: (reply) => optOutOnStopReply({ contacts, events }, reply),
    // Adapters keep the app's clock (token expiry, lookback windows), so pinned time in tests is one time.
    adapterFactory: deps.adapterFactory ?? ((account) => createAdapter(account, { clientOptions: { clock } })),
  });
  // Staff OAuth resolves codes through the graph's own adapters, read when someone signs in.
  const auth = createAuthModule({ models: m, org, clock, adminToken: deps.config.security.adminToken, staffOAuth: () => wecomStaffOAuth(graph) });
  // Built before the graph: the kf bot runs its answer A/B tests through it.
  const experiments = createExperimentsModule({ models: m, clock, org, touches: ledger.touches, events, contacts });
  const graph = {
    ...deps,
    org,
    phones,
    tags,
    content,
    contacts,
    contactChannels,
    identities,
    follows,
    contactSegments: people.segments,
    groups,
    events,
    /** API tokens, staff sign-in and what ends when a member leaves (server/auth/index.ts). */
    auth,
    tokens: auth.tokens,
    /** Every staff-task write goes through the tasks module (server/tasks/index.ts). */
    tasks: createTasksModule({ models: m, clock, contacts: follows }),
    /** 微信客服: the knowledge base and its matcher (server/kf/index.ts). */
    kf: createKfModule({
      models: m,
      org,
      tags,
      clock,
      // The bot answers kf messages as they are stored; the desk sends through the corp's WeCom account.
      reactions: channels,
      logger: deps.logger,
      describeVendorError: (errcode) => describeVendorError(errcode),
      kfPortFor: async (corpId) => {
        const accounts = (await channels.accounts.listForCorp(corpId)).filter((a) => a.kind === 'wecom');
        const account = accounts.find((a) => a.isDefault) ?? accounts[0];
        return account ? channels.adapterFor(account) : null;
      },
      experiments,
      events,
    }),
    experiments,
    /** Accounts, adapters, the inbox, inbound processing, owed details and the WeCom sync (server/channels/index.ts). */
    channels,
    channelAccounts: channels.accounts,
    inbox: channels.inbox,
    callbackGuard: channels.callbackGuard,
    syncRuns: channels.syncRuns,
    adapterFor: channels.adapterFor,
    /** Which channel kind carries an SOP step channel, and how (adapters/registry.ts). */
    touchChannelOf,
    /** Runs, touches and published SOPs (server/sop/ledger): one ledger, shared by the SOP module and experiments. */
    ledger,
    /** What other domains do with an inbound event once it is stored: live codes, campaigns, handover (see inbound-reactions.ts). */
    reactions: channels.reactions,
    signals: channels.signals,
    dbUp: () => pingDatabase(db),
    /** Scheduler processes' heartbeats (server/system). */
    heartbeats: createHeartbeats(m),
  };
  // A contact merge also moves the duplicate's tasks, SOP runs and touches: those domains are built after contacts.
  identities.alsoMoveOnMerge(graph.tasks, ledger.touches, ledger.runs);
  return graph;
}

/** Staff sign in with the default WeCom account's OAuth codes; auth knows no channel, so the graph looks it up. */
async function wecomStaffOAuth(graph: { channelAccounts: Pick<ChannelsModule['accounts'], 'resolve'>; adapterFor: (account: ChannelAccount) => ChannelAdapter }): Promise<StaffOAuth | null> {
  const account = await graph.channelAccounts.resolve('wecom', undefined).catch(() => null);
  if (!account) return null;
  const adapter = graph.adapterFor(account);
  return { corpId: account.corpId, ...(adapter.resolveStaffOAuthCode ? { resolveCode: adapter.resolveStaffOAuthCode.bind(adapter) } : {}) };
}


/** What setup needs (POST /api/setup, `npx siyu setup`). */
export function setupDepsOf(modules: Modules): SetupDeps {
  const { org, tokens, channelAccounts, config, logger } = modules;
  return { org, tokens, channelAccounts, config, writeDefaultAccounts: () => modules.channels.upsertDefaultAccounts(logger) };
}
