/**
 * Customer and group handover over the WeCom client (在职继承 path/92125, 离职继承 path/94081, /94082, groups
 * path/92127): the vendor's shapes turned into the channel-neutral ones of channel-adapter.ts.
 */
import type { CustomerTransferOutcome, CustomerTransferRequest, CustomerTransferState, GroupTransferFailure, TransferKind } from '../channel-adapter.ts';
import { toChannelError } from './client/to-channel-error.ts';
import type { WecomClient } from './client/wecom.client.ts';
import type { TransferStatus } from './client/wecom.types.ts';

const STATES: Record<TransferStatus, CustomerTransferState['status']> = { 1: 'done', 2: 'waiting', 3: 'refused', 4: 'limit_exceeded', 5: 'no_record' };

export async function transferCustomers(client: WecomClient, req: CustomerTransferRequest): Promise<CustomerTransferOutcome[]> {
  const body = { handover_userid: req.handoverUserId, takeover_userid: req.takeoverUserId, external_userid: req.externalUserIds };
  try {
    const r = req.kind === 'on_job' ? await client.transferCustomer({ ...body, ...(req.message ? { transfer_success_msg: req.message } : {}) }) : await client.resignedTransferCustomer(body);
    return r.customer.map((c) => ({ externalUserId: c.external_userid, errcode: c.errcode }));
  } catch (err) {
    throw toChannelError(err);
  }
}

export async function transferResults(client: WecomClient, kind: TransferKind, handoverUserId: string, takeoverUserId: string): Promise<CustomerTransferState[]> {
  const out: CustomerTransferState[] = [];
  let cursor: string | undefined;
  try {
    do {
      const body = { handover_userid: handoverUserId, takeover_userid: takeoverUserId, ...(cursor ? { cursor } : {}) };
      const page = kind === 'on_job' ? await client.transferResult(body) : await client.resignedTransferResult(body);
      for (const c of page.customer) {
        out.push({ externalUserId: c.external_userid, status: STATES[c.status] ?? 'no_record', takeoverAt: c.takeover_time ? new Date(c.takeover_time * 1000) : null });
      }
      cursor = page.next_cursor || undefined;
    } while (cursor);
    return out;
  } catch (err) {
    throw toChannelError(err);
  }
}

export async function transferGroups(client: WecomClient, kind: TransferKind, chatIds: string[], newOwner: string): Promise<GroupTransferFailure[]> {
  if (!chatIds.length) return [];
  try {
    const body = { chat_id_list: chatIds, new_owner: newOwner };
    const r = kind === 'on_job' ? await client.onJobTransferGroupChats(body) : await client.transferGroupChats(body);
    return (r.failed_chat_list ?? []).map((f) => ({ chatId: f.chat_id, errcode: f.errcode, message: f.errmsg }));
  } catch (err) {
    throw toChannelError(err);
  }
}
