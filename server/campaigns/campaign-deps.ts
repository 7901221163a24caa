/**
 * What the campaigns domain needs from the rest of the app, declared narrowly. Faces that do not exist yet
 * (content, contacts, channel accounts, handover participants) are described by the methods used, so any
 * implementation with those methods fits and no other domain's inner file is imported.
 */
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { InboundReactions, InboundSource } from '../channels/index.ts';
import type { ExperimentsModule } from '../experiments/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { CampaignsModels } from './campaigns.models.ts';

export type ChannelAccount = InboundSource['account'];

export type PhoneSeal = { hash(e164: string): string; encrypt(e164: string): string; decrypt(sealed: string): string };

export type GreetingContent = {
  pinnedVersions(corpId: string, templateIds: string[]): Promise<Record<string, number | null>>;
  getVersion(scope: Scope, templateId: string, version: number): Promise<{ text: string }>;
};

export type CustomerMove = { contactId: string; fromStaffId: string; toStaffId: string };
export type HandoverParticipantRegistry = { add(p: { name: string; moveCustomer(scope: Scope, move: CustomerMove): Promise<number | void> }): void };

export type CampaignsDeps = {
  models: CampaignsModels;
  /** Contacts' phones and identities: duplicates of an import, the phones a friend add is matched by. */
  contacts: {
    phoneHashes(corpId: string): AsyncIterable<string>;
    hasIdentityKey(corpId: string, key: string): Promise<boolean>;
    identityKeysOf(corpId: string, id: string): Promise<string[]>;
  };
  /** What a staff member wrote on a customer (a phone typed into the remark names the lead). */
  follows: { remarkOf(corpId: string, contactId: string, staffId: string): Promise<{ remark: string; description: string } | null> };
  /** Contacts by channel identity (an RPA friend's wechaty id). */
  contactChannels: { findByIdentity(corpId: string, identityKey: string): Promise<{ id: string } | null> };
  /** The event log: when an RPA friendship was confirmed. */
  events: { firstOccurrence(corpId: string, contactId: string, type: string, since: Date | null): Promise<Date | null> };
  clock: Clock;
  org: OrgModule;
  phones: PhoneSeal;
  experiments: Pick<ExperimentsModule, 'ensureForCampaign' | 'allowedVariants' | 'assignments' | 'outcomeEvents' | 'get' | 'results'>;
  content: GreetingContent;
  channelAccounts: { get(id: string): Promise<ChannelAccount>; listForCorp(corpId: string): Promise<ChannelAccount[]> };
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  identities: { upsert(corpId: string, input: { identities: Array<{ kind: 'wecom'; externalUserId: string } | { kind: 'wechaty'; id: string }>; phone?: string }): Promise<{ contact: { id: string } }> };
  reactions: Pick<InboundReactions, 'on'>;
  handoverParticipants: HandoverParticipantRegistry;
};
