/**
 * Everything the chat sidebar shows about the customer of the open chat, in one answer so the page needs one
 * request: profile, channels, tags (and the tag library to add from), lifecycle, store, the last touches of the
 * SOP ledger, the SOPs they are in, the experiment arms they were exposed to, notes and quick replies. Reads run
 * in parallel; each is one indexed query.
 */
import type { Principal } from '../auth/index.ts';
import { toContactDto, type ContactRow } from '../contacts/contact.dto.ts';
import { NotFoundError } from '../errors.ts';
import { zoneOf } from '../org/index.ts';
import type { Modules } from '../modules.ts';
import type { Scope } from '../shared/scope.ts';
import { ContactNoteRepository } from './contact-note.repository.ts';
import { quickReplies } from './quick-replies.ts';

const TOUCHES = 8;

/** The contact of a WeCom external_userid within the caller's stores; 404 otherwise. */
export async function findSidebarContact(services: Modules, scope: Scope, externalUserId: string): Promise<ContactRow> {
  const row = await services.db.models.Contact.findOne(services.contacts.filterFor(scope, { identityKey: `wecom:${externalUserId}` })).lean<ContactRow>();
  if (!row) throw new NotFoundError('contact', externalUserId);
  return row;
}

export async function sidebarProfile(services: Modules, scope: Scope, principal: Principal, externalUserId: string) {
  const m = services.db.models;
  const row = await findSidebarContact(services, scope, externalUserId);
  const contact = toContactDto(row);
  const corpId = scope.corpId;
  const [follows, tagLibrary, touches, runs, holdouts, notes, me, groups, exposures] = await Promise.all([
    services.follows.listForContact(scope, contact.id),
    services.tags.list(corpId),
    services.ledger.touches.recentForContact(corpId, contact.id, TOUCHES),
    services.ledger.runs.liveForContact(corpId, contact.id),
    m.ExperimentAssignment.find({ corpId, contactId: contact.id }).lean(),
    new ContactNoteRepository(m).listForContact(scope, contact.id),
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
    quickReplies: await quickReplies(m, corpId, context),
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
export async function replyContext(services: Modules, scope: Scope, principal: Principal, externalUserId: string) {
  const m = services.db.models;
  const row = await findSidebarContact(services, scope, externalUserId);
  const [me, follows] = await Promise.all([
    principal.staffId ? services.org.findStaff(scope.corpId, principal.staffId) : null,
    m.Follow.find({ corpId: scope.corpId, contactId: String(row._id), deletedAt: null }).sort({ addedAt: 1 }).lean(),
  ]);
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
