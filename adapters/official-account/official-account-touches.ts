/** The SOP step channel an official account carries: a customer-service message to the follower's openid. */
import type { TouchChannelSpec, TouchMessage, TouchSend } from '../channel-adapter.ts';

export const officialAccountTouchChannels: Readonly<Record<string, TouchChannelSpec>> = { official_account: {} };

export function officialAccountTouchSend(touch: TouchSend): TouchMessage | null {
  if (touch.channel !== 'official_account') return null;
  const recipientIds = touch.subjects.map((s) => s.openid?.openid ?? null);
  const to = recipientIds.find((id): id is string => !!id);
  return to ? { msg: { clientId: touch.clientId, route: 'custom', to: [{ type: 'contact', id: to }], text: touch.text }, recipientIds } : null;
}
