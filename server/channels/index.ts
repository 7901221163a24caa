/**
 * The channels face: what other domains may import from server/channels/. Accounts and their adapters, the
 * inbox, callback checks, the inbound reactions (the one way to react to an inbound event, see
 * inbound-reactions.ts), the detail queue and the WeCom sync.
 */
export { registerChannelsModels, type ChannelsModels } from './channels.models.ts';
export { ChannelAccountRepository, type ChannelAccount } from './channel-account.repository.ts';
export { CallbackGuard, type CallbackRefusal } from './callback-guard.ts';
export { InboundInbox } from './inbound-inbox.ts';
export {
  InboundReactions,
  type FriendAddedFacts,
  type HandledEvent,
  type InboundOwner,
  type InboundReaction,
  type InboundSource,
  type OwnedFacts,
  type OwnedKind,
  type ReactionFacts,
  type ReactionKind,
} from './inbound-reactions.ts';
