/**
 * change_external_chat → the group and its membership history, from a groupchat/get of the whole group. When
 * groupchat/get does not answer, the event is still logged and the group's detail is owed to the detail sweep.
 */
import type { GroupCreated, GroupDismissed, GroupUpdated } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';
import { applyGroupDetail } from './wecom-apply.ts';

export async function onGroupChanged(event: GroupCreated | GroupUpdated, ctx: InboundContext): Promise<HandledEvent> {
  const { deps, adapter } = ctx;
  const fetchDetail = adapter.fetchGroupDetail?.bind(adapter);
  const looked = fetchDetail ? await ctx.deps.details.lookUp(ctx.account, 'group', event.chatId, event.occurredAt, () => fetchDetail(event.chatId)) : { fetched: true as const, detail: null };
  if (!looked.fetched) return { contactId: null };
  const detail = looked.detail;
  if (!detail) {
    await deps.groups.markDismissed(event.corpId, event.chatId, event.occurredAt);
    return { contactId: null };
  }
  const { storeId } = await applyGroupDetail(deps, event.corpId, detail, event.occurredAt);
  return { contactId: null, storeId };
}

export async function onGroupDismissed(event: GroupDismissed, ctx: InboundContext): Promise<HandledEvent> {
  await ctx.deps.groups.markDismissed(event.corpId, event.chatId, event.occurredAt);
  return { contactId: null };
}
