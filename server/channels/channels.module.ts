/**
 * The channels domain wired from its declared dependencies: accounts and their adapters, the inbox and callback
 * checks, the inbound processor and push listeners, vendor details owed, the WeCom sync, and the inbound
 * reactions other domains register on (`on`, `own`). Contacts, groups, tags and events are written through
 * their faces; only the repositories here touch the channels collections.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { Config } from '../config.ts';
import type { FollowRepository } from '../contacts/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Metrics } from '../system/metrics.ts';
import { CallbackGuard } from './callback-guard.ts';
import { CallbackReplayRepository } from './callback-replay.repository.ts';
import { ChannelAccountRepository, type ChannelAccount } from './channel-account.repository.ts';
import type { ChannelsModels } from './channels.models.ts';
import { upsertDefaultAccounts } from './default-accounts.ts';
import { DetailDueRepository } from './detail-due.repository.ts';
import { DetailLookup } from './detail-lookup.ts';
import { settleOwedDetails, type DetailSweepOutcome } from './detail-sweep.ts';
import type { InboundDeps } from './inbound-context.ts';
import { InboundInbox } from './inbound-inbox.repository.ts';
import { InboundProcessor } from './inbound-processor.ts';
import { InboundReactions } from './inbound-reactions.ts';
import { KfCursorRepository } from './kf-cursor.repository.ts';
import { PushListeners } from './push-listeners.ts';
import { SyncRunRepository } from './sync/sync-run.repository.ts';
import { WecomSyncService } from './sync/wecom-sync.service.ts';

export type ChannelsDeps = Pick<InboundDeps, 'identities' | 'contactChannels' | 'events' | 'tags' | 'optOutReply'> & {
  models: ChannelsModels;
  config: Pick<Config['channels'], 'wecom' | 'officialAccount' | 'wechaty' | 'callbackMaxSkewSeconds' | 'callbackBodyLimitBytes'>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  org: Pick<OrgModule, 'findStaffByUserId' | 'staffByUserIds' | 'listStaff' | 'listCorps'>;
  follows: InboundDeps['follows'] & Pick<FollowRepository, 'countCustomersOf'>;
  groups: InboundDeps['groups'];
  /** Builds the adapter of an account (adapters/registry.ts in production); the module caches one per account. */
  adapterFactory: (account: ChannelAccount) => ChannelAdapter;
};

export type ChannelsModule = {
  accounts: ChannelAccountRepository;
  /** The adapter of an account, kept while its config is unchanged (token caches and throttles live on). */
  adapterFor(account: ChannelAccount): ChannelAdapter;
  inbox: InboundInbox;
  /** Freshness and replay checks on verified callbacks (see callback-guard.ts). */
  callbackGuard: CallbackGuard;
  /** What other domains do with an inbound event once it is stored (see inbound-reactions.ts). */
  reactions: InboundReactions;
  /** A side effect after the core stored an event of `kind` (reactions.on). */
  on: InboundReactions['on'];
  /** Hands `kind` to one owning domain (reactions.own). */
  own: InboundReactions['own'];
  /** In-process wake-ups: 'inbound' after a payload is recorded, so a local processor starts at once. */
  signals: EventEmitter;
  syncRuns: SyncRunRepository;
  /** What the inbound handlers use (the processor's; specs dispatch single events with it). */
  inbound: InboundDeps;
  processor(logger: Logger, pollMs?: number, renewEveryMs?: number): InboundProcessor;
  pushListeners(logger: Logger, owner: string): PushListeners;
  wecomSync(opts?: { owner?: string; concurrency?: number }): WecomSyncService;
  /** Applies owed vendor details that are due (the detail sweep job). */
  settleOwedDetails(logger: Logger, limit?: number): Promise<DetailSweepOutcome>;
  /** Development default accounts from the environment (WECOM_*, OA_*, WECHATY_*). */
  upsertDefaultAccounts(logger: Logger): Promise<void>;
  /** The largest callback body accepted (the callback routes read it). */
  callbackBodyLimitBytes: number;
};

export function createChannelsModule(deps: ChannelsDeps): ChannelsModule {
  const { models, clock, logger, metrics, config } = deps;
  const accounts = new ChannelAccountRepository(models);
  const adapterFor = cachedAdapters(deps.adapterFactory);
  const inbox = new InboundInbox(models, clock);
  const callbackGuard = new CallbackGuard(new CallbackReplayRepository(models), clock, config.callbackMaxSkewSeconds);
  const reactions = new InboundReactions(logger);
  const signals = new EventEmitter();
  const owed = new DetailDueRepository(models, clock);
  const syncRuns = new SyncRunRepository(models, clock);
  const inbound: InboundDeps = {
    org: deps.org,
    identities: deps.identities,
    contactChannels: deps.contactChannels,
    follows: deps.follows,
    groups: deps.groups,
    tags: deps.tags,
    events: deps.events,
    optOutReply: deps.optOutReply,
    reactions,
    details: new DetailLookup({ owed, clock, logger, metrics }),
    kfCursors: new KfCursorRepository(models, clock),
    clock,
    logger,
  };
  const channelAccounts = accounts;
  return {
    accounts,
    adapterFor,
    inbox,
    callbackGuard,
    reactions,
    on: (kind, reaction) => reactions.on(kind, reaction),
    own: (kind, owner) => reactions.own(kind, owner),
    signals,
    syncRuns,
    inbound,
    processor: (log, pollMs, renewEveryMs) => new InboundProcessor({ channelAccounts, adapterFor, inbox, inbound, owedDetails: () => owed.count(), metrics }, log, pollMs, renewEveryMs),
    pushListeners: (log, owner) => new PushListeners({ channelAccounts, adapterFor, inbox, signals, clock }, log, owner),
    wecomSync: (opts) => new WecomSyncService({ ...inbound, org: deps.org, follows: deps.follows, channelAccounts, adapterFor, syncRuns }, opts),
    settleOwedDetails: (log, limit) => settleOwedDetails({ ...inbound, owed, channelAccounts, adapterFor, metrics }, log, limit),
    upsertDefaultAccounts: (log) => upsertDefaultAccounts({ config: { channels: config }, channelAccounts, org: deps.org }, log),
    callbackBodyLimitBytes: config.callbackBodyLimitBytes,
  };
}

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
