/**
 * Where a contact's touches go: the store (and its time zone) and the staff member who owns the relation, and
 * the channel ids the adapters need. The home store's staff member wins; otherwise the oldest live relation.
 */
import type { OrgModule } from '../../org/index.ts';
import type { QuietHours } from '../definition/common.schema.ts';
import type { SopContacts, SopEvents, SopFollows, SopGroups } from './sop-ports.ts';

export type ContactRouting = {
  contactId: string;
  name: string;
  storeId: string | null;
  tz: string;
  /** The store's quiet hours (/hq/org), which planning moves sends out of; null: the defaults (no store). */
  quietHours: QuietHours | null;
  staffId: string | null;
  staffUserId: string | null;
  externalUserId: string | null;
  kfId: string | null;
  /** The 微信客服 account the contact last wrote to (kf sends go out from it). */
  openKfId: string | null;
  openid: { appId: string; openid: string } | null;
  optedOut: boolean;
  reachable: boolean;
  tagIds: string[];
  /** Group-subject runs: the customer group's chat id (its owner is the sender). */
  chatId: string | null;
};

/** Runs of group- and staff-subject SOPs carry `group:<chatId>` / `staff:<staffId>` where contact runs carry a contact id. */
export const subjectRunId = (subject: 'group' | 'staff', id: string) => `${subject}:${id}`;

/** What routing reads: contacts and their relations, the event log (kf), customer groups, staff and zones. */
export type RoutingDeps = {
  contacts: Pick<SopContacts, 'rowsByIds'>;
  follows: Pick<SopFollows, 'liveOfContacts'>;
  events: Pick<SopEvents, 'latestOnChannel'>;
  groups: Pick<SopGroups, 'findByChatId'>;
  org: Pick<OrgModule, 'findStaff' | 'findStaffByUserId' | 'timezoneOf' | 'storePolicies'>;
};

/** A relation as routing chooses among them. */
export type Relation = { staffId: string; storeId: string; addedAt: Date; _id: unknown };

/**
 * The one home-store rule: among a contact's live relations (oldest first), the home store's wins, else the
 * oldest. Bulk enrollment applies the same rule to the relations it reads.
 */
export function chooseRelation<R extends Relation>(live: readonly R[], homeStoreId: string | null | undefined): R | undefined {
  return live.find((f) => f.storeId === homeStoreId) ?? live[0];
}

/** Oldest first; the id breaks ties, so two readers of the same relations choose the same one. */
export function byAge(a: Relation, b: Relation): number {
  return a.addedAt.getTime() - b.addedAt.getTime() || (String(a._id) < String(b._id) ? -1 : 1);
}

/** Routing for the runtime: one subject or many, from the contact, group and staff collections. */
export class ContactRouter {
  constructor(private readonly services: RoutingDeps) {}

  async one(corpId: string, contactId: string): Promise<ContactRouting | null> {
    return (await this.many(corpId, [contactId])).get(contactId) ?? null;
  }

  /** Subjects that do not exist are absent from the map. */
  async many(corpId: string, ids: string[]): Promise<Map<string, ContactRouting>> {
    const out = await contactRoutings(this.services, corpId, ids);
    // One policy read for every store of the batch: the same quiet hours the dispatcher's gate applies.
    const stores = [...new Set([...out.values()].flatMap((r) => (r.storeId ? [r.storeId] : [])))];
    const policies = stores.length ? await this.services.org.storePolicies(corpId, stores) : new Map();
    for (const r of out.values()) r.quietHours = (r.storeId && policies.get(r.storeId)?.quietHours) || null;
    return out;
  }
}

/**
 * Routing for many subjects with a handful of queries (the dispatcher gates a whole mass-send batch at once);
 * subjects that do not exist are absent from the map.
 */
async function contactRoutings(services: RoutingDeps, corpId: string, ids: string[]): Promise<Map<string, ContactRouting>> {
  const out = new Map<string, ContactRouting>();
  const contactIds: string[] = [];
  for (const id of new Set(ids)) {
    const subject = id.startsWith('group:') ? await groupRouting(services, corpId, id.slice(6)) : id.startsWith('staff:') ? await staffRouting(services, corpId, id.slice(6)) : undefined;
    if (subject === undefined) contactIds.push(id);
    else if (subject) out.set(id, subject);
  }
  if (!contactIds.length) return out;
  const [contacts, follows] = await Promise.all([services.contacts.rowsByIds(corpId, contactIds), services.follows.liveOfContacts(corpId, contactIds)]);
  const followsOf = new Map<string, typeof follows>();
  for (const f of follows) followsOf.set(f.contactId, [...(followsOf.get(f.contactId) ?? []), f]);
  const chosen = contacts.map((contact) => {
    const live = followsOf.get(String(contact._id)) ?? [];
    const follow = chooseRelation(live, contact.homeStoreId);
    return { contact, follow, storeId: follow?.storeId ?? contact.homeStoreId ?? null };
  });
  const zones = new Map<string | null, Promise<string>>();
  const zoneOf = (storeId: string | null) => zones.get(storeId) ?? zones.set(storeId, services.org.timezoneOf(corpId, storeId)).get(storeId)!;
  for (const { contact, follow, storeId } of chosen) {
    const contactId = String(contact._id);
    const unsubscribed = new Set(contact.unsubscribedKeys ?? []);
    const openid = (contact.openids ?? []).find((o) => !unsubscribed.has(`openid:${o.appId}:${o.openid}`));
    const kfEvent = contact.kfIds?.length ? await services.events.latestOnChannel(corpId, contactId, 'wecom_kf') : null;
    out.set(contactId, {
      contactId,
      name: contact.name ?? '',
      storeId,
      tz: await zoneOf(storeId),
      quietHours: null,
      staffId: follow?.staffId ?? null,
      staffUserId: follow?.staffUserId ?? null,
      externalUserId: contact.externalUserId ?? null,
      kfId: contact.kfIds?.[0] ?? null,
      openKfId: ((kfEvent?.payload as { openKfId?: string } | undefined)?.openKfId) ?? null,
      openid: openid?.appId && openid.openid ? { appId: openid.appId, openid: openid.openid } : null,
      optedOut: contact.consent?.optedOut ?? false,
      reachable: contact.consent?.reachable ?? true,
      tagIds: [...(contact.tagIds ?? [])],
      chatId: null,
    });
  }
  return out;
}

const NOBODY = { externalUserId: null, kfId: null, openKfId: null, openid: null, optedOut: false, tagIds: [], quietHours: null };

async function groupRouting(services: RoutingDeps, corpId: string, chatId: string): Promise<ContactRouting | null> {
  const group = await services.groups.findByChatId(corpId, chatId);
  if (!group) return null;
  const owner = await services.org.findStaffByUserId(corpId, group.ownerUserId);
  const storeId = group.storeId ?? owner?.storeId ?? null;
  return { ...NOBODY, contactId: subjectRunId('group', chatId), name: group.name, storeId, tz: await services.org.timezoneOf(corpId, storeId), staffId: owner ? owner.id : null, staffUserId: group.ownerUserId, reachable: !group.dismissedAt, chatId };
}

async function staffRouting(services: RoutingDeps, corpId: string, staffId: string): Promise<ContactRouting | null> {
  const staff = await services.org.findStaff(corpId, staffId);
  if (!staff) return null;
  return { ...NOBODY, contactId: subjectRunId('staff', staffId), name: staff.name, storeId: staff.storeId, tz: await services.org.timezoneOf(corpId, staff.storeId), staffId, staffUserId: staff.userId, reachable: staff.status === 'active', chatId: null };
}

/**
 * The addresses a send goes to, each with the index of the subject it came from. A group send of a staff
 * subject (which carries no chat id) goes to every group the staff member owns; everything else is one address
 * per subject. A subject left without addresses has no group to send to.
 */
export async function sendAddresses(groups: Pick<SopGroups, 'ownedBy'>, corpId: string, channel: string, subjects: ContactRouting[]): Promise<{ addresses: ContactRouting[]; subjectOf: number[] }> {
  const addresses: ContactRouting[] = [];
  const subjectOf: number[] = [];
  for (const [i, s] of subjects.entries()) {
    const owned = channel === 'wecom_group' && !s.chatId && s.contactId.startsWith('staff:') && s.staffUserId ? await groups.ownedBy(corpId, s.staffUserId) : null;
    for (const a of owned ? owned.map((g) => ({ ...s, chatId: g.chatId, name: g.name ?? g.chatId })) : [s]) {
      addresses.push(a);
      subjectOf.push(i);
    }
  }
  return { addresses, subjectOf };
}
