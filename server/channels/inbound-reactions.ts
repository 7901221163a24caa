/**
 * What other domains do with an inbound event once the channels core has applied it: the one mechanism for
 * "react to an inbound event". Domains register from their own wiring files, keyed by domain event kind:
 * - `on(kind, reaction)`: a side effect after the core has stored the event (live codes' welcome message and
 *   tags, campaign lead attribution). Reactions run in registration order (welcome messages first: their code
 *   lives 20 s); one reaction's failure is logged and stops neither the others nor the event, because the event
 *   itself is already stored and a reaction's own ledger says what it still owes.
 * - `own(kind, owner)`: a kind the core leaves to one domain entirely (handover's `friend_transfer_failed`). The
 *   owner's answer (the contact concerned) goes into the event log, and its failure fails the inbox row, which is
 *   retried like any other.
 * Both must be idempotent: a redelivered or re-processed payload runs them again.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter, FriendAdded, FriendTransferFailed, KfMessage } from '../../adapters/channel-adapter.ts';
import type { StaffDto } from '../org/index.ts';
import type { ChannelAccount } from './channel-account.repository.ts';

/** The contact (and store) an event concerned, so the event-log row can point at it. */
export type HandledEvent = { contactId: string | null; storeId?: string | null };

/** Where an event came from: its account and that account's adapter. */
export type InboundSource = { account: ChannelAccount; adapter: ChannelAdapter };

export type FriendAddedFacts = InboundSource & {
  event: FriendAdded;
  contactId: string;
  /** The staff member who was added; null while staff are not synced yet. */
  staff: StaffDto | null;
  /** True when this add created the contact: it has no phone yet and no lead points at it. */
  contactCreated?: boolean;
  /** The relation's remark and description as this add stored them, when WeCom's detail came with it. */
  relation?: { remark: string; description: string };
};

/** A 微信客服 message or event pulled with kf/sync_msg and stored in the event log (the kf bot answers it). */
export type KfMessageFacts = InboundSource & {
  event: { idempotencyKey: string; corpId: string; message: KfMessage };
  /** The contact of the kf customer; null for a message without one. */
  contactId: string | null;
};

/** The kinds other domains may react to, with what the core tells them once it has stored the event. */
export type ReactionFacts = {
  friend_added: FriendAddedFacts;
  kf_message: KfMessageFacts;
};
export type ReactionKind = keyof ReactionFacts;
export type InboundReaction<K extends ReactionKind> = { name: string; react(facts: ReactionFacts[K]): Promise<unknown> };

/** The kinds the core hands to one owning domain, with what the owner gets. */
export type OwnedFacts = {
  friend_transfer_failed: InboundSource & { event: FriendTransferFailed };
};
export type OwnedKind = keyof OwnedFacts;
export type InboundOwner<K extends OwnedKind> = { name: string; handle(facts: OwnedFacts[K]): Promise<HandledEvent> };

export class InboundReactions {
  private readonly reactions: { [K in ReactionKind]?: InboundReaction<K>[] } = {};
  private readonly owners: { [K in OwnedKind]?: InboundOwner<K> } = {};

  constructor(private readonly logger: Logger) {}

  on<K extends ReactionKind>(kind: K, reaction: InboundReaction<K>): void {
    ((this.reactions[kind] ??= []) as InboundReaction<K>[]).push(reaction);
  }

  /** One owner per kind: a second registration is a wiring mistake. */
  own<K extends OwnedKind>(kind: K, owner: InboundOwner<K>): void {
    const taken = this.owners[kind];
    if (taken) throw new Error(`inbound kind ${kind} is already owned by ${taken.name}`);
    (this.owners as Record<K, InboundOwner<K>>)[kind] = owner;
  }

  /** Runs every reaction to `kind`, in registration order; failures are logged, never thrown. */
  async run<K extends ReactionKind>(kind: K, facts: ReactionFacts[K]): Promise<void> {
    for (const reaction of (this.reactions[kind] ?? []) as InboundReaction<K>[]) {
      try {
        await reaction.react(facts);
      } catch (err) {
        this.logger.error({ err, kind, reaction: reaction.name, eventKey: facts.event.idempotencyKey }, 'inbound reaction failed');
      }
    }
  }

  /** Hands the event to its owner; with none registered it is only kept in the event log. */
  async handle<K extends OwnedKind>(kind: K, facts: OwnedFacts[K]): Promise<HandledEvent> {
    const owner = this.owners[kind] as InboundOwner<K> | undefined;
    return owner ? owner.handle(facts) : { contactId: null };
  }
}
