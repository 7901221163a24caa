/**
 * WeCom external-contact events → contact, identity and follow relation. Every step is an upsert keyed on
 * vendor ids, so handling the same event twice leaves the same state.
 */
import type { ContactDetail, FriendAdded, FriendDeletedByCustomer, FriendDeletedByStaff, FriendEdited } from '../../adapters/channel-adapter.ts';
import type { Identity } from '../contacts/identity.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

export async function onFriendAddedOrEdited(event: FriendAdded | FriendEdited, ctx: InboundContext): Promise<HandledEvent> {
  const { services } = ctx;
  const detail: ContactDetail | null = ctx.adapter.fetchContactDetail ? await ctx.adapter.fetchContactDetail(event.externalUserId) : null;
  const identities: Identity[] = [{ kind: 'wecom', externalUserId: event.externalUserId }];
  if (detail?.unionId) identities.push({ kind: 'unionid', unionid: detail.unionId });
  const staff = await services.org.findStaffByUserId(event.corpId, event.staffUserId);
  const { contact } = await services.identities.upsert(event.corpId, {
    identities,
    profile: { ...(detail?.name ? { name: detail.name } : {}), ...(detail?.avatar ? { avatar: detail.avatar } : {}), ...(staff ? { homeStoreId: staff.storeId } : {}) },
    interactionAt: event.occurredAt,
  });
  if (!staff) {
    // Staff not synced yet: the contact is kept; the relation appears with the next staff sync and callback.
    return { contactId: contact.id };
  }
  const relation = detail?.follows.find((f) => f.staffUserId === event.staffUserId);
  const state = event.kind === 'friend_added' ? (event.state ?? relation?.state ?? '') : (relation?.state ?? undefined);
  await services.follows.upsert(event.corpId, {
    contactId: contact.id,
    staff,
    remark: relation?.remark ?? '',
    description: relation?.description ?? '',
    tagIds: relation?.tagIds ?? [],
    addWay: relation?.addWay ?? 0,
    ...(state !== undefined ? { state } : {}),
    addedAt: relation?.addedAt ?? event.occurredAt,
  });
  return { contactId: contact.id, storeId: staff.storeId };
}

export async function onFriendDeleted(event: FriendDeletedByStaff | FriendDeletedByCustomer, ctx: InboundContext): Promise<HandledEvent> {
  const { services } = ctx;
  const contact = await services.contactChannels.findByIdentity(event.corpId, `wecom:${event.externalUserId}`);
  const staff = await services.org.findStaffByUserId(event.corpId, event.staffUserId);
  if (!contact || !staff) return { contactId: contact?.id ?? null };
  await services.follows.markDeleted(event.corpId, contact.id, staff.id, event.kind === 'friend_deleted_by_staff' ? 'staff' : 'customer', event.occurredAt);
  await services.contactChannels.refreshReachability(event.corpId, contact.id);
  return { contactId: contact.id, storeId: staff.storeId };
}
