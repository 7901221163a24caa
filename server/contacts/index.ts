/**
 * The contacts face: people across channels (`contacts`), their relations to staff members (`follows`), the
 * identity grammar, the phone vault, opt-out replies and the contact routes. The only file of server/contacts/
 * other domains import.
 */
import type { EventsModule } from '../events/index.ts';
import type { GroupsModule } from '../groups/index.ts';
import type { Clock } from '../shared/clock.ts';
import { ContactIdentityRepository } from './contact-identity.repository.ts';
import { ContactChannelState, ContactRepository } from './contact.repository.ts';
import type { ContactsModels } from './contacts.models.ts';
import { ContactSummaryRepository } from './contact-summary.repository.ts';
import { IdentityLookupRepository } from './identity-lookup.repository.ts';
import { FollowRepository } from './follow.repository.ts';
import { PhoneVault } from './phone.ts';
import { SegmentRepository } from './segment.repository.ts';

export { registerContactsModels, type ContactsModels } from './contacts.models.ts';
export type { ContactFilter } from './contact.repository.ts';
export type { ContactProfile, ContactReassigner, ContactUpsert, UpsertResult } from './contact-identity.repository.ts';
export { toContactDto, type ContactDto, type ContactRow } from './contact.dto.ts';
export type { ContactDoc, LifecycleStage } from './contact.schema.ts';
export type { FollowInput } from './follow.repository.ts';
export { identityKey, parseIdentityKey, personKeys, phoneKey, type Identity } from './identity.ts';
export { maskPhone } from './phone.ts';
export { optOutOnStopReply, type OptOutDeps } from './opt-out-reply.ts';
/** The parts under their class names, for code that names the one it uses. */
export type { ContactChannelState, ContactIdentityRepository, ContactRepository, FollowRepository, PhoneVault, SegmentRepository };

/**
 * The contacts domain in parts, each kept under the key the rest of the code already uses:
 * `contacts` (scoped reads and staff writes), `channelState` (corp-level writes of the inbound pipeline),
 * `identities` (upsert and merge by identity), `follows` (customer ↔ staff relations), `phones` (the vault), `segments` (saved filters, 人群包).
 */
export type ContactsModule = {
  contacts: ContactRepository;
  channelState: ContactChannelState;
  identities: ContactIdentityRepository;
  follows: FollowRepository;
  phones: PhoneVault;
  segments: SegmentRepository;
};

export type ContactsDeps = {
  models: ContactsModels;
  clock: Clock;
  keys: { phoneKeyHex: string; hashKeyHex: string };
  /** A merge moves the loser's events and group memberships to the winner. */
  events: Pick<EventsModule, 'reassignContact'>;
  groups: Pick<GroupsModule, 'reassignContact'>;
};

export function createContactsModule(deps: ContactsDeps): ContactsModule {
  const phones = new PhoneVault(deps.keys);
  const summaries = new ContactSummaryRepository(deps.models, deps.clock);
  const lookups = new IdentityLookupRepository(deps.models);
  const follows = new FollowRepository(deps.models, summaries);
  return {
    contacts: new ContactRepository(deps.models),
    channelState: new ContactChannelState(deps.models, lookups, summaries),
    identities: new ContactIdentityRepository(deps.models, lookups, follows, phones, deps.clock, { events: deps.events, groups: deps.groups }),
    follows,
    phones,
    segments: new SegmentRepository(deps.models),
  };
}
export { contactRoutes } from './contact.route.ts';
export { contactProfileRoutes, type ContactProfileDeps } from './contact-profile.route.ts';

/**
 * The stored kf / WeCom duplicates of one person, merged (ContactIdentityRepository.mergeKfDuplicates) in every
 * corp. Runs at boot, before anything reads contacts; a second run merges nothing.
 */
export async function mergeStoredKfDuplicates(deps: { org: { listCorps(): Promise<Array<{ corpId: string }>> }; identities: Pick<ContactIdentityRepository, 'mergeKfDuplicates'> }): Promise<number> {
  let merged = 0;
  for (const corp of await deps.org.listCorps()) merged += (await deps.identities.mergeKfDuplicates(corp.corpId)).length;
  return merged;
}
