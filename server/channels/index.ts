/**
 * The channels face: what other domains may import from server/channels/. Accounts and their adapters, the
 * inbox, callback checks, the inbound reactions (the one way to react to an inbound event, see
 * inbound-reactions.ts), the inbound processor and push listeners, owed vendor details, the WeCom sync and the
 * route factories.
 */
export { createChannelsModule, type ChannelsDeps, type ChannelsModule } from './channels.module.ts';
export { registerChannelsModels, type ChannelsModels } from './channels.models.ts';
export type { ChannelAccount, ChannelAccountRepository } from './channel-account.repository.ts';
export { channelAccountRoutes, type ChannelAccountRouteDeps } from './channel-account.route.ts';
export { channelCallbackRoutes, type CallbackRouteDeps } from './callback.route.ts';
export type { CallbackGuard, CallbackRefusal } from './callback-guard.ts';
export type { InboundInbox } from './inbound-inbox.repository.ts';
export type { InboundProcessor } from './inbound-processor.ts';
export type { CustomerReply, InboundContext, InboundDeps } from './inbound-context.ts';
export type { PushListeners } from './push-listeners.ts';
export type { DefaultAccountsDeps } from './default-accounts.ts';
export type { DetailSweepOutcome } from './detail-sweep.ts';
export { SyncInterruptedError, WecomSyncService, type SyncProgress, type SyncSummary, type WecomSyncDeps, type WecomSyncOptions } from './sync/wecom-sync.service.ts';
export { createSyncProgress } from './sync/sync-progress.ts';
export {
  InboundReactions,
  type FriendAddedFacts,
  type KfMessageFacts,
  type HandledEvent,
  type InboundOwner,
  type InboundReaction,
  type InboundSource,
  type OwnedFacts,
  type OwnedKind,
  type ReactionFacts,
  type ReactionKind,
} from './inbound-reactions.ts';
