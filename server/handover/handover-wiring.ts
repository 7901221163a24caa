/**
 * Handover's inbound reactions, registered where the services are built: WeCom's transfer_fail (客户接替失败: the
 * customer refused, or the takeover member is full) settles the waiting transfer at once. Handover owns the kind,
 * so the contact it names goes into the event log and a failure retries the inbox row.
 */
import type { InboundReactions } from '../channels/index.ts';
import type { HandoverService } from './handover.service.ts';

export function wireHandoverReactions(deps: { reactions: InboundReactions; handover: () => HandoverService }): void {
  deps.reactions.own('friend_transfer_failed', { name: 'handover', handle: ({ event }) => deps.handover().onTransferFailed(event) });
}
