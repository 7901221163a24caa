/**
 * Customer-initiated send windows, checked before calling so a closed window costs no API call:
 * WeCom KF (48 h / 5 messages, 95002 / 95001) and official-account customer-service messages (48 h / 5, 45015 / 45047).
 */

/** What the caller knows about the conversation: the customer's last message and our sends since. */
export type SendWindow = { lastCustomerMessageAt: Date | null; sentSinceCustomerMessage: number };

export type WindowRule = { hours: number; maxMessages: number };
export const FORTY_EIGHT_HOURS_FIVE_MESSAGES: WindowRule = { hours: 48, maxMessages: 5 };

export type WindowVerdict = { open: true } | { open: false; reason: 'expired' | 'exhausted' };

/** Pure: whether one more message may be sent at `now`. */
export function checkSendWindow(window: SendWindow, rule: WindowRule, now: Date): WindowVerdict {
  const last = window.lastCustomerMessageAt;
  if (!last || now.getTime() - last.getTime() > rule.hours * 3_600_000) return { open: false, reason: 'expired' };
  if (window.sentSinceCustomerMessage >= rule.maxMessages) return { open: false, reason: 'exhausted' };
  return { open: true };
}
