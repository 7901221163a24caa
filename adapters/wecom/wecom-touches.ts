/**
 * The SOP step channels WeCom carries and how a touch becomes a WeCom send: 1:1 and group mass sends (tasks the
 * staff member confirms in WeCom), 微信客服 replies from the open_kfid the customer last wrote to, and moments.
 */
import type { OutboundMessage, TouchAddress, TouchChannelSpec, TouchMessage, TouchSend } from '../channel-adapter.ts';

/** 1:1 touches of one staff member, step and day share one mass send, which the staff member confirms. */
export const wecomTouchChannels: Readonly<Record<string, TouchChannelSpec>> = {
  wecom_1to1: { batched: true, staffConfirms: true },
  wecom_group: {},
  wecom_moments: {},
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

function message({ channel, clientId, text, subjects }: TouchSend, ids: string[]): OutboundMessage | null {
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
