/**
 * Entry point for decrypted WeCom callbacks: reads the common fields and hands the payload to the parser of
 * its event family. Pure: no I/O, no clock.
 */
import { ParseError } from '../../channel-adapter.ts';
import type { InboundEvent } from '../../channel-adapter.ts';
import { parseXml, XmlError } from '../../shared/xml.ts';
import type { XmlNode } from '../../shared/xml.ts';
import { readCallback, unknownEvent } from './envelope.ts';
import type { WecomCallback } from './envelope.ts';
import { parseExternalChat } from './external-chat.parser.ts';
import { parseExternalContact } from './external-contact.parser.ts';
import { parseExternalTag } from './external-tag.parser.ts';
import { parseKfMsgOrEvent } from './kf.parser.ts';

const FAMILIES: ReadonlyMap<string, (cb: WecomCallback) => InboundEvent> = new Map([
  ['change_external_contact', parseExternalContact],
  ['change_external_chat', parseExternalChat],
  ['change_external_tag', parseExternalTag],
  ['kf_msg_or_event', parseKfMsgOrEvent],
]);

/**
 * Turns the inner XML of a verified WeCom callback into domain events. Event families and ChangeTypes it
 * does not know become one `unknown` event with the payload kept.
 * @throws ParseError when the XML is unreadable or a required field is missing.
 */
export function parseWecomCallback(plaintext: string): InboundEvent[] {
  let raw: XmlNode;
  try {
    raw = parseXml(plaintext);
  } catch (err) {
    if (err instanceof XmlError) throw new ParseError('wecom', 'xml', [], ['xml'], { cause: err });
    throw err;
  }
  const cb = readCallback(raw);
  const parse = (cb.event === null ? undefined : FAMILIES.get(cb.event)) ?? unknownEvent;
  return [parse(cb)];
}
