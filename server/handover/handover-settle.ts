/**
 * Settling a handover job from narrow dependencies (its repository and the clock), so the transfer_fail reaction
 * can be wired without the whole service graph: a job with nothing open is done, otherwise polled again in an hour.
 */
import type { FriendTransferFailed } from '../../adapters/channel-adapter.ts';
import type { HandledEvent } from '../channels/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { HandoverRepository } from './handover.repository.ts';
import type { HandoverFailure } from './handover.schema.ts';

export const POLL_INTERVAL_MS = 60 * 60_000;

export async function finishIfSettled(repo: HandoverRepository, corpId: string, handoverId: string, now: Date): Promise<void> {
  const open = await repo.openCount(corpId, handoverId);
  await repo.update(corpId, handoverId, open ? { nextPollAt: new Date(now.getTime() + POLL_INTERVAL_MS) } : { status: 'done', finishedAt: now, nextPollAt: null });
}

/**
 * transfer_fail (客户接替失败: the customer refused, or the takeover member is full): WeCom names the customer and
 * the takeover member only, so the newest waiting transfer of that pair fails. A redelivery finds nothing waiting
 * and changes nothing. Answers the contact concerned, for the event log.
 */
export async function settleTransferFailed(repo: HandoverRepository, clock: Clock, event: FriendTransferFailed): Promise<HandledEvent> {
  const reason: HandoverFailure = event.reason === 'customer_refused' || event.reason === 'customer_limit_exceed' ? event.reason : 'vendor_error';
  const item = await repo.fail(event.corpId, { externalUserId: event.externalUserId, toUserId: event.takeoverUserId }, reason, null, event.occurredAt);
  if (!item) return { contactId: null };
  await finishIfSettled(repo, event.corpId, item.handoverId, clock.now());
  return { contactId: item.contactId };
}
