/**
 * `Event=kf_msg_or_event` (protocol notes §2.4): a 微信客服 account has messages or events to pull. The
 * callback carries none of them; the core runs the kf/sync_msg loop with the token.
 */
import type { InboundEvent } from '../../channel-adapter.ts';
import { check, eventBase } from './envelope.ts';
import type { WecomCallback } from './envelope.ts';

/** Parses one kf_msg_or_event callback. Docs: https://developer.work.weixin.qq.com/document/31078 */
export function parseKfMsgOrEvent(cb: WecomCallback): InboundEvent {
  const syncToken = cb.fields.required('Token');
  const openKfId = cb.fields.required('OpenKfId');
  check(cb);
  return { ...eventBase(cb, 'kf_messages_available', [openKfId, syncToken]), openKfId, syncToken };
}
