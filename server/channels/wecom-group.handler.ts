/** change_external_chat → the group and its membership history, from a groupchat/get of the whole group. */
import type { GroupCreated, GroupDismissed, GroupUpdated } from '../../adapters/channel-adapter.ts';
import type { Identity } from '../contacts/identity.ts';
import type { GroupMemberInput } from '../groups/customer-group.repository.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';

export async function onGroupChanged(event: GroupCreated | GroupUpdated, ctx: InboundContext): Promise<HandledEvent> {
  const { services } = ctx;
  const detail = ctx.adapter.fetchGroupDetail ? await ctx.adapter.fetchGroupDetail(event.chatId) : null;
  if (!detail) {
    await services.groups.markDismissed(event.corpId, event.chatId, event.occurredAt);
    return { contactId: null };
  }
  const owner = await services.org.findStaffByUserId(event.corpId, detail.ownerUserId);
  const members: GroupMemberInput[] = [];
  for (const m of detail.members) {
    let contactId: string | null = null;
    if (m.type === 'external') {
      // Group members who are nobody's friend yet are still customers: one contact per person, joined by unionid.
      const identities: Identity[] = [{ kind: 'wecom', externalUserId: m.userId }];
      if (m.unionId) identities.push({ kind: 'unionid', unionid: m.unionId });
      contactId = (await services.identities.upsert(event.corpId, { identities })).contact.id;
    }
    members.push({ memberType: m.type, userId: m.userId, contactId, joinTime: m.joinTime, joinScene: m.joinScene });
  }
  await services.groups.syncMembers(
    event.corpId,
    { chatId: detail.chatId, name: detail.name, ownerUserId: detail.ownerUserId, storeId: owner?.storeId ?? null, notice: detail.notice, members },
    event.occurredAt,
  );
  return { contactId: null, storeId: owner?.storeId ?? null };
}

export async function onGroupDismissed(event: GroupDismissed, ctx: InboundContext): Promise<HandledEvent> {
  await ctx.services.groups.markDismissed(event.corpId, event.chatId, event.occurredAt);
  return { contactId: null };
}
