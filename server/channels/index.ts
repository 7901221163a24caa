/**
 * The channels face: what other domains may import from server/channels/. So far the inbound reactions (the one
 * way to react to an inbound event, see inbound-reactions.ts); the rest of the domain moves behind it step by step.
 */
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
export { upsertDefaultAccounts } from './default-accounts.ts';
