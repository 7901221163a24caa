/** change_external_chat → the group and its membership history, from a groupchat/get of the whole group. */
import type { GroupCreated, GroupDismissed, GroupUpdated } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';
import { applyGroupDetail } from './wecom-apply.ts';

export async function onGroupChanged(event: GroupCreated | GroupUpdated, ctx: InboundContext): Promise<HandledEvent> {
  const { services } = ctx;
  const detail = ctx.adapter.fetchGroupDetail ? await ctx.adapter.fetchGroupDetail(event.chatId) : null;
  if (!detail) {
    await services.groups.markDismissed(event.corpId, event.chatId, event.occurredAt);
    return { contactId: null };
  }
  const { storeId } = await applyGroupDetail(services, event.corpId, detail, event.occurredAt);
  return { contactId: null, storeId };
}

export async function onGroupDismissed(event: GroupDismissed, ctx: InboundContext): Promise<HandledEvent> {
  await ctx.services.groups.markDismissed(event.corpId, event.chatId, event.occurredAt);
  return { contactId: null };
}
