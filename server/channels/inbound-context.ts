import type { Logger } from 'pino';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { ContactChannelState, ContactIdentityRepository, FollowRepository } from '../contacts/index.ts';
import type { EventsModule } from '../events/index.ts';
import type { GroupsModule } from '../groups/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { TagsModule } from '../tags/index.ts';
import type { ChannelAccount } from './channel-account.repository.ts';
import type { DetailLookup } from './detail-lookup.ts';
import type { InboundReactions } from './inbound-reactions.ts';
import type { KfCursorRepository } from './kf-cursor.repository.ts';

/** A customer's text reply, for the opt-out check (「退订」, 「TD」: see contacts' opt-out-reply.ts). */
export type CustomerReply = { corpId: string; contactId: string; text: string | null; messageKey: string; channel: string; at: Date };

/** What the inbound handlers use: other domains through their faces, and the channels domain's own parts. */
export type InboundDeps = {
  org: Pick<OrgModule, 'findStaffByUserId' | 'staffByUserIds'>;
  identities: Pick<ContactIdentityRepository, 'upsert'>;
  contactChannels: Pick<ContactChannelState, 'findByIdentity' | 'setSubscribed' | 'nameIfNameless'>;
  follows: Pick<FollowRepository, 'upsert' | 'recordFromEvent' | 'stateOf' | 'markDeleted'>;
  groups: Pick<GroupsModule, 'syncMembers' | 'applyMembershipChange' | 'markDismissed'>;
  tags: Pick<TagsModule, 'deleteGroup' | 'deleteTag' | 'mirror'>;
  events: Pick<EventsModule, 'append' | 'appendMany'>;
  /** Opts the customer out when the reply means "stop"; true when it did. */
  optOutReply: (reply: CustomerReply) => Promise<boolean>;
  reactions: Pick<InboundReactions, 'run' | 'handle'>;
  details: Pick<DetailLookup, 'lookUp'>;
  kfCursors: Pick<KfCursorRepository, 'get' | 'save'>;
  clock: Clock;
  logger: Logger;
};

/** What an inbound handler gets: the account the payload came through, its adapter, and its dependencies. */
export type InboundContext = { account: ChannelAccount; adapter: ChannelAdapter; deps: InboundDeps };

export type { HandledEvent } from './inbound-reactions.ts';
