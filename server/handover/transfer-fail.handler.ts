/** `transfer_fail` (客户接替失败): the customer refused or the takeover member is full; the handover records it. */
import type { FriendTransferFailed } from '../../adapters/channel-adapter.ts';
import type { HandledEvent, InboundContext } from '../channels/inbound-context.ts';
import { handoverService } from './handover.service.ts';

export function onTransferFailed(event: FriendTransferFailed, ctx: InboundContext): Promise<HandledEvent> {
  return handoverService(ctx.services).onTransferFailed(event);
}
