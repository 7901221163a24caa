/**
 * Where a contact's touches go: the store (and its time zone) and the staff member who owns the relation, and
 * the channel ids the adapters need. The home store's staff member wins; otherwise the oldest live relation.
 */
import type { Services } from '../../services.ts';

export type ContactRouting = {
  contactId: string;
  name: string;
  storeId: string | null;
  tz: string;
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

export async function contactRouting(services: Services, corpId: string, contactId: string): Promise<ContactRouting | null> {
  if (contactId.startsWith('group:')) return groupRouting(services, corpId, contactId.slice(6));
  if (contactId.startsWith('staff:')) return staffRouting(services, corpId, contactId.slice(6));
  const m = services.db.models;
  const contact = await m.Contact.findOne({ _id: contactId, corpId }).lean();
  if (!contact) return null;
  const follows = await m.Follow.find({ corpId, contactId, deletedAt: null }).sort({ addedAt: 1 }).lean();
  const follow = follows.find((f) => f.storeId === contact.homeStoreId) ?? follows[0];
  const storeId = follow?.storeId ?? contact.homeStoreId ?? null;
  const store = storeId ? await m.Store.findOne({ _id: storeId, corpId }).lean() : null;
  const corp = store ? null : await m.Corp.findOne({ corpId }).lean();
  const unsubscribed = new Set(contact.unsubscribedKeys ?? []);
  const openid = (contact.openids ?? []).find((o) => !unsubscribed.has(`openid:${o.appId}:${o.openid}`));
  const kfEvent = contact.kfIds?.length ? await m.Event.findOne({ corpId, contactId, channel: 'wecom_kf' }).sort({ _id: -1 }).lean() : null;
  return {
    contactId,
    name: contact.name ?? '',
    storeId,
    tz: store?.timezone ?? corp?.timezone ?? 'Asia/Shanghai',
    staffId: follow?.staffId ?? null,
    staffUserId: follow?.staffUserId ?? null,
    externalUserId: contact.externalUserId ?? null,
    kfId: contact.kfIds?.[0] ?? null,
    openKfId: ((kfEvent?.payload as { openKfId?: string } | undefined)?.openKfId) ?? null,
    openid: openid?.appId && openid.openid ? { appId: openid.appId, openid: openid.openid } : null,
    optedOut: contact.consent?.optedOut ?? false,
    reachable: contact.consent?.reachable ?? true,
    tagIds: contact.tagIds ?? [],
    chatId: null,
  };
}

const NOBODY = { externalUserId: null, kfId: null, openKfId: null, openid: null, optedOut: false, tagIds: [] };

async function tzOf(services: Services, corpId: string, storeId: string | null): Promise<string> {
  const m = services.db.models;
  const store = storeId ? await m.Store.findOne({ _id: storeId, corpId }).lean() : null;
  return store?.timezone ?? (await m.Corp.findOne({ corpId }).lean())?.timezone ?? 'Asia/Shanghai';
}

async function groupRouting(services: Services, corpId: string, chatId: string): Promise<ContactRouting | null> {
  const m = services.db.models;
  const group = await m.CustomerGroup.findOne({ corpId, chatId }).lean();
  if (!group) return null;
  const owner = await m.Staff.findOne({ corpId, userId: group.ownerUserId }).lean();
  const storeId = group.storeId ?? owner?.storeId ?? null;
  return { ...NOBODY, contactId: subjectRunId('group', chatId), name: group.name, storeId, tz: await tzOf(services, corpId, storeId), staffId: owner ? String(owner._id) : null, staffUserId: group.ownerUserId, reachable: !group.dismissedAt, chatId };
}

async function staffRouting(services: Services, corpId: string, staffId: string): Promise<ContactRouting | null> {
  const staff = await services.db.models.Staff.findOne({ _id: staffId, corpId }).lean();
  if (!staff) return null;
  return { ...NOBODY, contactId: subjectRunId('staff', staffId), name: staff.name, storeId: staff.storeId, tz: await tzOf(services, corpId, staff.storeId), staffId, staffUserId: staff.userId, reachable: staff.status === 'active', chatId: null };
}
