/**
 * What the SOP runtime reads from and writes to other domains, declared here in the shape the runtime uses,
 * so server/sop imports no other domain's files for it: modules.ts passes those domains' repositories and
 * faces, which fit these types structurally. Each port lists only the methods some runtime part calls.
 */
import type { Scope } from '../../shared/scope.ts';
import type { Attachment as ContentAttachment } from '../../content/index.ts';
import type { Sop } from '../definition/sop.schema.ts';

/** A contact as routing reads it. */
export type RoutedContactRow = {
  _id: unknown;
  name?: string | null;
  homeStoreId?: string | null;
  externalUserId?: string | null;
  kfIds?: readonly string[] | null;
  openids?: ReadonlyArray<{ appId?: string | null; openid?: string | null }> | null;
  unsubscribedKeys?: readonly string[] | null;
  consent?: { optedOut?: boolean | null; reachable?: boolean | null } | null;
  tagIds?: readonly string[] | null;
};

/** A contact as an audience cursor reads it (bulk enrollment). */
export type AudienceContact = { _id: unknown; homeStoreId?: string | null; staffIds?: string[]; storeIds?: string[]; consent?: { optedOut?: boolean; reachable?: boolean } };

export type AudienceFilterInput = { tagsAll?: string[]; tagsAny?: string[]; tagsNone?: string[]; storeIds?: string[]; lifecycle?: Array<'lead' | 'friend' | 'customer' | 'vip' | 'lost'> };

/** The contacts repository, as the runtime uses it. */
export type SopContacts = {
  filterFor(scope: Scope, f: AudienceFilterInput): Record<string, unknown>;
  rowsByIds(corpId: string, ids: readonly string[]): Promise<RoutedContactRow[]>;
  get(scope: Scope, id: string): Promise<unknown>;
  changeTags(scope: Scope, id: string, add: string[], remove: string[], at: Date): Promise<unknown>;
  countInStore(filter: Record<string, unknown>, storeId: string): Promise<number>;
  idsAtHomeStore(filter: Record<string, unknown>, storeId: string): AsyncIterable<string>;
  audienceCursor(filter: Record<string, unknown>, batchSize: number): AsyncIterable<AudienceContact> & { close(): Promise<unknown> };
};

/** A relation (contact ↔ staff member) as routing chooses among them. */
export type RelationRow = { _id: unknown; contactId: string; staffId: string; staffUserId?: string | null; storeId: string; addedAt: Date; deletedAt?: Date | null };

export type SopFollows = {
  liveOfContacts(corpId: string, contactIds: readonly string[]): Promise<RelationRow[]>;
  relation(corpId: string, contactId: string, staffId: string): Promise<Omit<RelationRow, 'contactId' | 'staffUserId'> | null>;
};

export type LoggedEvent = { _id: unknown; corpId: string; type: string; contactId?: string | null; occurredAt: Date; payload?: unknown };

/** The event log: triggers, exits, branches and the 微信客服 account a contact wrote to. */
export type SopEvents = {
  latestOnChannel(corpId: string, contactId: string, channel: string): Promise<{ payload?: unknown } | null>;
  hasSince(corpId: string, contactId: string, types: readonly string[], since: Date): Promise<boolean>;
  clickedStep(corpId: string, contactId: string, stepId: string): Promise<boolean>;
  contactsWithSince(corpId: string, contactIds: readonly string[], types: readonly string[], since: Date): Promise<Set<string>>;
  after(lastEventId: string | null, types: readonly string[], limit: number): Promise<LoggedEvent[]>;
};

export type SopGroups = {
  findByChatId(corpId: string, chatId: string): Promise<{ name: string; ownerUserId: string; storeId?: string | null; dismissedAt?: Date | null } | null>;
  liveChatIdsOfStore(corpId: string, storeId: string): Promise<string[]>;
  /** Groups the member (WeCom userid) owns, dismissed ones left out: a staff-subject group send goes to them. */
  ownedBy(corpId: string, ownerUserId: string): Promise<Array<{ chatId: string; name: string | null }>>;
};

type TagGroup = { groupId: string; name: string; tags: Array<{ tagId: string; name: string }> };

/** The tag library: SOP files name tags, contacts carry ids (tag-names.ts). */
export type SopTags = {
  list(corpId: string): Promise<TagGroup[]>;
  createGroup(corpId: string, input: { name: string }): Promise<TagGroup>;
  addTag(corpId: string, groupId: string, input: { name: string }): Promise<{ tagId: string }>;
};

/** Experiments of send steps with variants: the arms new assignments draw from, and holdouts. */
export type SopExperiments = {
  stepExperiment<V extends { id: string; weight: number }>(corpId: string, experimentId: string, variants: readonly V[]): Promise<{ variants: V[]; holdout(contactId: string, at: Date): boolean }>;
  saveHoldouts(corpId: string, experimentId: string, units: ReadonlyArray<{ contactId: string; storeId: string | null; at: Date }>): Promise<void>;
  /** Creates or updates the experiments of the SOP's A/B steps (publish and enable call it; idempotent). */
  ensureForSop?(corpId: string, sop: { sopId: string; name: string; definition: Sop }): Promise<unknown>;
};

/** The content library: the versions an SOP pins and the text a touch renders. */
export type SopContent = {
  pinnedVersions(corpId: string, templateIds: string[]): Promise<Record<string, number | null>>;
  getVersion(scope: Scope, templateId: string, version: number): Promise<{ text: string; attachments?: ContentAttachment[] }>;
};
