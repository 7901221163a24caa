/** wechaty room and friendship events → contacts (wechaty identity), group memberships, the event log. */
import type { FriendshipConfirmed, FriendshipRequested, RoomJoined, RoomLeft, RoomMessage } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

async function contactFor(ctx: InboundContext, corpId: string, wechatyId: string, interactionAt?: Date): Promise<string> {
  const { contact } = await ctx.deps.identities.upsert(corpId, { identities: [{ kind: 'wechaty', id: wechatyId }], ...(interactionAt ? { interactionAt } : {}) });
  return contact.id;
}

export async function onRoomEvent(event: RoomJoined | RoomLeft | RoomMessage, ctx: InboundContext): Promise<HandledEvent> {
  const { deps } = ctx;
  if (event.kind === 'room_message') {
    return { contactId: await contactFor(ctx, event.corpId, event.talkerId, event.occurredAt) };
  }
  if (event.kind === 'room_joined') {
    const joined = [];
    for (const id of event.inviteeIds) joined.push({ memberType: 'external' as const, userId: id, contactId: await contactFor(ctx, event.corpId, id), joinTime: event.occurredAt, joinScene: 1 });
    await deps.groups.applyMembershipChange(event.corpId, event.roomId, { joined }, event.occurredAt);
    return { contactId: joined.length === 1 ? joined[0]!.contactId : null };
  }
  await deps.groups.applyMembershipChange(event.corpId, event.roomId, { leftUserIds: event.leaverIds }, event.occurredAt);
  return { contactId: null };
}

export async function onFriendship(event: FriendshipRequested | FriendshipConfirmed, ctx: InboundContext): Promise<HandledEvent> {
  return { contactId: await contactFor(ctx, event.corpId, event.contactId, event.occurredAt) };
}
