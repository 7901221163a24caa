/**
 * The SOP step channels WeCom carries and how a touch becomes a WeCom send: 1:1 and group mass sends (tasks the
 * staff member confirms in WeCom), 微信客服 replies from the open_kfid the customer last wrote to, and moments;
 * and how a group send or a moment is read back once the staff member has (or has not) published it.
 */
import { ChannelError, type OutboundMessage, type SendOutcome, type TouchAddress, type TouchChannelSpec, type TouchMessage, type TouchSend } from '../channel-adapter.ts';
import { toChannelError } from './client/to-channel-error.ts';
import type { WecomClient } from './client/wecom.client.ts';

/**
 * 1:1 touches of one staff member, step and day share one mass send, which the staff member confirms. Group
 * sends and moments reach no one until the staff member publishes them in WeCom: they are read back
 * (get_groupmsg_task / get_groupmsg_send_result, get_moment_task_result / get_moment_task).
 */
export const wecomTouchChannels: Readonly<Record<string, TouchChannelSpec>> = {
  wecom_1to1: { batched: true, staffConfirms: true },
  wecom_group: { staffConfirms: true, readBack: true },
  wecom_moments: { staffConfirms: true, readBack: true },
  kf: {},
};

const RECIPIENT: Readonly<Record<string, (a: TouchAddress) => string | null>> = {
  wecom_1to1: (a) => a.externalUserId,
  kf: (a) => a.kfId,
  wecom_group: (a) => a.chatId,
  wecom_moments: (a) => a.staffUserId,
};

export function wecomTouchSend(touch: TouchSend): TouchMessage | null {
  const recipient = RECIPIENT[touch.channel];
  if (!recipient) return null;
  const recipientIds = touch.subjects.map(recipient);
  const msg = message(touch, recipientIds.filter((id): id is string => !!id));
  return msg ? { msg, recipientIds } : null;
}

function message(touch: TouchSend, ids: string[]): OutboundMessage | null {
  const msg = bare(touch, ids);
  return msg && touch.attachments?.length && msg.route !== 'kf' ? { ...msg, attachments: touch.attachments } : msg;
}

function bare({ channel, clientId, text, subjects }: TouchSend, ids: string[]): OutboundMessage | null {
  const head = subjects[0];
  if (!head || !ids.length) return null;
  switch (channel) {
    case 'wecom_1to1':
      return head.staffUserId ? { clientId, route: 'mass_send', sender: head.staffUserId, to: ids.map((id) => ({ type: 'contact', id })), text } : null;
    case 'kf':
      return head.openKfId ? { clientId, route: 'kf', sender: head.openKfId, to: [{ type: 'contact', id: ids[0]! }], text } : null;
    case 'wecom_group':
      return head.staffUserId ? { clientId, route: 'mass_send', sender: head.staffUserId, to: subjects.map((s) => ({ type: 'group' as const, id: s.chatId! })), text } : null;
    case 'wecom_moments':
      return head.staffUserId ? { clientId, route: 'moments', sender: head.staffUserId, to: [], text } : null;
    default:
      return null;
  }
}

/** A moment's job id as add_moment_task returns it; once the job ends the moment is asked about by `moment:<id>`. */
const MOMENT_PREFIX = 'moment:';

/**
 * What became of a group mass send or a moment (ChannelAdapter.sendOutcome).
 * - group (mass_send): the sender's task (get_groupmsg_task) is pending until they confirm it (status 2); then
 *   each group's row (get_groupmsg_send_result) says 1 sent, anything else not reached.
 * - moments: the job (get_moment_task_result: 1 running, 2 done, 3 failed; the sender in invalid_sender_list →
 *   failed) yields the moment id, asked next as `moment:<id>`; get_moment_task's publish_status 1 for the sender
 *   means posted. The jobid lives 24 h, the moment id longer: the read-back switches as soon as it can.
 */
export async function wecomSendOutcome(client: WecomClient, send: { route: OutboundMessage['route']; sender: string | null; vendorId: string }): Promise<SendOutcome> {
  try {
    return send.route === 'moments' ? await momentOutcome(client, send.sender, send.vendorId) : await massOutcome(client, send.sender, send.vendorId);
  } catch (err) {
    throw toChannelError(err);
  }
}

async function massOutcome(client: WecomClient, sender: string | null, msgid: string): Promise<SendOutcome> {
  const tasks = await pages((cursor) => client.getGroupMsgTask({ msgid, limit: 1000, ...(cursor ? { cursor } : {}) }), (p) => p.task_list);
  const mine = tasks.filter((t) => !sender || t.userid === sender);
  if (!mine.length || mine.some((t) => t.status !== 2)) return { state: 'pending' };
  const rows = [];
  for (const t of mine) rows.push(...(await pages((cursor) => client.getGroupMsgSendResult({ msgid, userid: t.userid, limit: 1000, ...(cursor ? { cursor } : {}) }), (p) => p.send_list)));
  if (rows.some((r) => r.status === 0)) return { state: 'pending' };
  const failed = rows.filter((r) => r.status !== 1).map((r) => r.chat_id ?? r.external_userid ?? '');
  return { state: 'sent', ...(failed.length ? { failedRecipientIds: failed } : {}) };
}

async function momentOutcome(client: WecomClient, sender: string | null, vendorId: string): Promise<SendOutcome> {
  if (!vendorId.startsWith(MOMENT_PREFIX)) {
    const job = await client.getMomentTaskResult(vendorId);
    if (job.status === 1) return { state: 'pending' };
    const result = job.result;
    if (job.status === 3 || !result?.moment_id || (result.errcode ?? 0) !== 0) {
      return { state: 'failed', error: new ChannelError({ errcode: result?.errcode ?? null, message: result?.errmsg ?? 'moment task failed', kind: 'invalid', retryable: false }) };
    }
    if (sender && result.invalid_sender_list?.user_list?.includes(sender)) {
      return { state: 'failed', error: new ChannelError({ errcode: null, message: `朋友圈发表人无效 invalid moment sender ${sender}`, kind: 'recipient', retryable: false }) };
    }
    return published(client, sender, result.moment_id);
  }
  return published(client, sender, vendorId.slice(MOMENT_PREFIX.length));
}

async function published(client: WecomClient, sender: string | null, momentId: string): Promise<SendOutcome> {
  const tasks = await pages((cursor) => client.getMomentTask({ moment_id: momentId, limit: 1000, ...(cursor ? { cursor } : {}) }), (p) => p.task_list);
  const mine = tasks.filter((t) => !sender || t.userid === sender);
  if (mine.length && mine.every((t) => t.publish_status === 1)) return { state: 'sent' };
  return { state: 'pending', vendorId: `${MOMENT_PREFIX}${momentId}` };
}

async function pages<P extends { next_cursor: string }, T>(fetchPage: (cursor: string | undefined) => Promise<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    all.push(...items(page));
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return all;
}
