/**
 * Routes each domain event kind to its handler; kinds without one are only logged (kept raw in the event log).
 * Kinds another domain owns go to their registered owner (inbound-reactions.ts): this file imports no other domain.
 */
import type { InboundEvent } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from './inbound-context.ts';
import { onOfficialAccountEvent } from './official-account.handler.ts';
import { onFriendAddedOrEdited, onFriendDeleted } from './wecom-contact.handler.ts';
import { onGroupChanged, onGroupDismissed } from './wecom-group.handler.ts';
import { onKfMessagesAvailable } from './wecom-kf.handler.ts';
import { onCorpTagChanged } from './wecom-tag.handler.ts';
import { onFriendship, onRoomEvent } from './wechaty.handler.ts';

export async function dispatchInbound(event: InboundEvent, ctx: InboundContext): Promise<HandledEvent> {
  switch (event.kind) {
    case 'friend_added':
    case 'friend_edited':
      return onFriendAddedOrEdited(event, ctx);
    case 'friend_deleted_by_staff':
    case 'friend_deleted_by_customer':
      return onFriendDeleted(event, ctx);
    case 'group_created':
    case 'group_updated':
      return onGroupChanged(event, ctx);
    case 'group_dismissed':
      return onGroupDismissed(event, ctx);
    case 'corp_tag_created':
    case 'corp_tag_updated':
    case 'corp_tag_deleted':
    case 'corp_tag_shuffled':
      return onCorpTagChanged(event, ctx);
    case 'kf_messages_available':
      return onKfMessagesAvailable(event, ctx);
    case 'oa_subscribed':
    case 'oa_unsubscribed':
    case 'oa_scanned':
    case 'oa_text_message':
    case 'oa_menu_click':
    case 'oa_menu_view':
      return onOfficialAccountEvent(event, ctx);
    case 'room_message':
    case 'room_joined':
    case 'room_left':
      return onRoomEvent(event, ctx);
    case 'friendship_requested':
    case 'friendship_confirmed':
      return onFriendship(event, ctx);
    case 'friend_transfer_failed':
      return ctx.deps.reactions.handle(event.kind, { event, account: ctx.account, adapter: ctx.adapter });
    case 'chat_archiving_approved':
    case 'oa_template_send_finished':
    case 'unknown':
      // Recorded in the event log by the processor; the campaign and wechaty work reads them there.
      return { contactId: null };
  }
}
