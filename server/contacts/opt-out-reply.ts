/**
 * A customer who answers a touch with 「退订」 or 「TD」 (the convention Chinese users know from SMS) is opted out
 * of marketing touches, exactly as if staff had done it, and the opt-out is recorded in the event log under a
 * key derived from the message, so a redelivered message changes nothing.
 */
import type { NewEvent } from '../events/index.ts';
import type { ContactRepository } from './contact.repository.ts';

/** What an opt-out reply changes: the contact's consent and the event log. */
export type OptOutDeps = {
  contacts: Pick<ContactRepository, 'setConsent'>;
  events: { append(corpId: string, e: NewEvent): Promise<unknown> };
};

/** Whole-message replies that mean "stop": compared after NFKC (full-width letters), trimming and dropping punctuation. */
const STOP_REPLIES = new Set(['退订', 'td', 't', '取消订阅', '不要再发了', '别再发了', 'unsubscribe', 'stop']);

export function isOptOutReply(text: string | null | undefined): boolean {
  if (!text) return false;
  const word = text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}]/gu, '');
  return STOP_REPLIES.has(word);
}

export async function optOutOnStopReply(deps: OptOutDeps, input: { corpId: string; contactId: string; text: string | null; messageKey: string; channel: string; at: Date }): Promise<boolean> {
  if (!isOptOutReply(input.text)) return false;
  const { changed } = await deps.contacts.setConsent({ corpId: input.corpId, storeIds: null }, input.contactId, true, input.at);
  if (changed) {
    await deps.events.append(input.corpId, {
      key: `consent:${input.messageKey}`,
      direction: 'internal',
      channel: 'siyu',
      type: 'contact.opted_out',
      contactId: input.contactId,
      occurredAt: input.at,
      payload: { source: 'customer_reply', channel: input.channel, text: input.text },
    });
  }
  return changed;
}
