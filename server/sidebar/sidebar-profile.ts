/**
 * Everything the chat sidebar shows about the customer of the open chat, in one answer so the page needs one
 * request: profile, channels, tags (and the tag library to add from), lifecycle, store, the last touches of the
 * SOP ledger, the SOPs they are in, the experiment arms they were exposed to, notes and quick replies. Reads run
 * in parallel; each is one indexed query.
 */
import { toContactDto, type ContactRow } from '../contacts/index.ts';
import { NotFoundError } from '../errors.ts';
import { zoneOf } from '../org/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Scope } from '../shared/scope.ts';
import type { ContactNoteRepository } from './contact-note.repository.ts';
import type { CorpWecomDeps } from './corp-wecom.ts';
import { quickReplies, type ChatTemplates } from './quick-replies.ts';

const TOUCHES = 8;

/** Who opened the sidebar: their token, and their staff member when the token has one (HQ's has none). */
export type Caller = { tokenId: string; staffId: string | null };

type Maybe<T> = T | null | undefined;
type TagLibrary = Array<{ name: string; tags: Array<{ tagId: string; name: string }> }>;
type Relation = { staffId: string; staffUserId: string; storeId: string; remark: string; state: string; addedAt: Date; deletedAt: Maybe<Date> };

/**
 * What the sidebar reads and writes, as the faces of the domains it shows (contacts, follows, tags, the SOP
 * ledger, experiments, groups, the event log, content) declare it: only the methods used.
 */
export type SidebarDeps = {
  notes: ContactNoteRepository;
  contacts: {
    findRowWhere(scope: Scope, f: { identityKey: string }): Promise<ContactRow | null>;
    changeTags(scope: Scope, id: string, add: string[], remove: string[], at: Date): Promise<{ tagIds: string[] }>;
  };
  follows: {
    listForContact(scope: Scope, contactId: string): Promise<Relation[]>;
    changeRelationTags(corpId: string, contactId: string, staffId: string, add: readonly string[], remove: readonly string[]): Promise<void>;
  };
  tags: { list(corpId: string): Promise<TagLibrary>; assertExist(corpId: string, tagIds: string[]): Promise<void> };
  ledger: {
    touches: {
      recentForContact(corpId: string, contactId: string, limit: number): Promise<Array<{ sopId: string; channel: string; status: string; reason?: Maybe<string>; sentAt?: Maybe<Date>; dueAt: Date; text?: Maybe<string> }>>;
      exposuresOfContact(corpId: string, contactId: string): Promise<Array<{ experiment?: Maybe<string>; variant?: Maybe<string>; sentAt?: Maybe<Date> }>>;
    };
    runs: { liveForContact(corpId: string, contactId: string): Promise<Array<{ sopId: string; status: string; stepId?: Maybe<string>; dueAt?: Maybe<Date>; enteredAt: Date }>> };
    sops: { names(corpId: string, sopIds: readonly string[]): Promise<Map<string, string>> };
  };
  experiments: { assignmentsOfContact(corpId: string, contactId: string): Promise<Array<{ experimentId: string; arm: string; assignedAt: Date }>> };
  groups: { listForContact(scope: Scope, contactId: string): Promise<Array<{ chatId: string; name: string }>> };
  events: { append(corpId: string, e: { key: string; direction: 'internal'; channel: 'siyu'; type: string; contactId: string; occurredAt: Date; payload: Record<string, unknown> }): Promise<unknown> };
  content: ChatTemplates;
  org: Pick<OrgModule, 'findStaff' | 'staffByIds' | 'findStore' | 'getStaff'>;
  clock: Clock;
} & CorpWecomDeps;

/** The contact of a WeCom external_userid within the caller's stores; 404 otherwise. */
export async function findSidebarContact(d: Pick<SidebarDeps, 'contacts'>, scope: Scope, externalUserId: string): Promise<ContactRow> {
  const row = await d.contacts.findRowWhere(scope, { identityKey: `wecom:${externalUserId}` });
  if (!row) throw new NotFoundError('contact', externalUserId);
  return row;
}

export async function sidebarProfile(services: SidebarDeps, scope: Scope, principal: Caller, externalUserId: string) {
  const row = await findSidebarContact(services, scope, externalUserId);
  const contact = toContactDto(row);
  const corpId = scope.corpId;
  const [follows, tagLibrary, touches, runs, holdouts, notes, me, groups, exposures] = await Promise.all([
    services.follows.listForContact(scope, contact.id),
    services.tags.list(corpId),
    services.ledger.touches.recentForContact(corpId, contact.id, TOUCHES),
    services.ledger.runs.liveForContact(corpId, contact.id),
    services.experiments.assignmentsOfContact(corpId, contact.id),
    services.notes.listForContact(scope, contact.id),
    principal.staffId ? services.org.findStaff(corpId, principal.staffId) : null,
    services.groups.listForContact(scope, contact.id),
    services.ledger.touches.exposuresOfContact(corpId, contact.id),
  ]);
  const live = follows.filter((f) => !f.deletedAt);
  const sopIds = [...new Set([...touches.map((t) => t.sopId), ...runs.map((r) => r.sopId)])];
  const staffIds = [...new Set(live.map((f) => f.staffId))];
  const storeId = me?.storeId ?? contact.homeStoreId ?? live[0]?.storeId ?? null;
  const [sopName, staff, store] = await Promise.all([
    services.ledger.sops.names(corpId, sopIds),
    services.org.staffByIds(corpId, staffIds),
    storeId ? services.org.findStore(corpId, storeId) : null,
  ]);
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const tagName = new Map(tagLibrary.flatMap((g) => g.tags.map((t) => [t.tagId, { tagId: t.tagId, name: t.name, group: g.name }] as const)));
  const myFollow = live.find((f) => f.staffId === principal.staffId);
  const context = {
    contact: { name: contact.name, remark: myFollow?.remark || live[0]?.remark || '' },
    staff: { name: me?.name ?? '' },
    store: { name: store?.name ?? '', city: store?.city ?? '' },
    now: services.clock.now(),
    timeZone: zoneOf(store),
  };
  const arms = new Map<string, { experimentId: string; arm: string; at: Date | null }>();
  for (const t of exposures) if (t.experiment && !arms.has(t.experiment)) arms.set(t.experiment, { experimentId: t.experiment, arm: t.variant ?? '', at: t.sentAt ?? null });
  for (const h of holdouts) if (!arms.has(h.experimentId)) arms.set(h.experimentId, { experimentId: h.experimentId, arm: h.arm, at: h.assignedAt });
  return {
    contact: {
      id: contact.id,
      externalUserId,
      name: contact.name,
      avatar: contact.avatar,
      gender: contact.gender,
      lifecycle: contact.lifecycle,
      phone: contact.phone?.masked ?? null,
      optedOut: contact.consent.optedOut,
      reachable: contact.consent.reachable,
      lastInteractionAt: contact.lastInteractionAt,
      createdAt: contact.createdAt,
    },
    me: { staffId: principal.staffId, name: me?.name ?? null },
    store: store ? { id: store.id, name: store.name, city: store.city } : null,
    channels: channelsOf(contact, live.map((f) => ({ ...f, staffName: staffName.get(f.staffId) ?? f.staffUserId }))),
    follows: live.map((f) => ({ staffId: f.staffId, staffName: staffName.get(f.staffId) ?? f.staffUserId, remark: f.remark, state: f.state || null, addedAt: f.addedAt, mine: f.staffId === principal.staffId })),
    groups: groups.map((g) => ({ chatId: g.chatId, name: g.name })),
    tags: contact.tagIds.map((id) => tagName.get(id) ?? { tagId: id, name: id, group: null }),
    tagLibrary,
    touches: touches.map((t) => ({ sopId: t.sopId, sopName: sopName.get(t.sopId) ?? t.sopId, channel: t.channel, status: t.status, reason: t.reason ?? null, at: t.sentAt ?? t.dueAt, text: t.text ?? null })),
    sops: runs.map((r) => ({ sopId: r.sopId, name: sopName.get(r.sopId) ?? r.sopId, status: r.status, stepId: r.stepId ?? null, nextAt: r.dueAt ?? null, enteredAt: r.enteredAt })),
    experiments: [...arms.values()],
    notes,
    quickReplies: await quickReplies(services.content, corpId, context),
  };
}

type LiveFollow = { staffName: string; state: string; addedAt: Date };

/** How the customer is reachable: WeCom (with whom, through which channel code), official accounts, 微信客服, bots. */
function channelsOf(contact: ReturnType<typeof toContactDto>, follows: LiveFollow[]) {
  const out: { kind: string; label: string; detail: string }[] = [];
  if (contact.identities.externalUserId) {
    const who = follows.map((f) => (f.state ? `${f.staffName}（${f.state}）` : f.staffName)).join('、');
    out.push({ kind: 'wecom', label: '企业微信 WeCom', detail: who || '无在职好友关系 no live relation' });
  }
  for (const o of contact.identities.openids) out.push({ kind: 'official_account', label: '公众号 Official account', detail: o.appId });
  if (contact.identities.kfIds.length) out.push({ kind: 'kf', label: '微信客服 WeChat KF', detail: `${contact.identities.kfIds.length}` });
  if (contact.identities.wechatyIds.length) out.push({ kind: 'wechaty', label: '个人微信 WeChat', detail: `${contact.identities.wechatyIds.length}` });
  return out;
}

/** The variables quick replies are filled with, without the rest of the profile (search requests). */
export async function replyContext(services: SidebarDeps, scope: Scope, principal: Caller, externalUserId: string) {
  const row = await findSidebarContact(services, scope, externalUserId);
  const [me, relations] = await Promise.all([principal.staffId ? services.org.findStaff(scope.corpId, principal.staffId) : null, services.follows.listForContact(scope, String(row._id))]);
  // Every relation of the contact, oldest first; the live ones fill the variables.
  const follows = relations.filter((f) => !f.deletedAt);
  const storeId = me?.storeId ?? row.homeStoreId ?? follows[0]?.storeId ?? null;
  const store = storeId ? await services.org.findStore(scope.corpId, storeId) : null;
  return {
    contact: { name: row.name ?? '', remark: follows.find((f) => f.staffId === principal.staffId)?.remark || follows[0]?.remark || '' },
    staff: { name: me?.name ?? '' },
    store: { name: store?.name ?? '', city: store?.city ?? '' },
    now: services.clock.now(),
    timeZone: zoneOf(store),
  };
}
