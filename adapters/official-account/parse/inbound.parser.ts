/**
 * Entry point for official-account (公众号/服务号) pushes, plaintext or already decrypted: reads the common
 * fields and parses text messages and events. Pure: no I/O, no clock.
 */
import { ParseError } from '../../channel-adapter.ts';
import type { InboundEvent } from '../../channel-adapter.ts';
import { parseXml, XmlError } from '../../shared/xml.ts';
import type { XmlNode } from '../../shared/xml.ts';
import { check, eventBase, messageKey, readPush, unknownEvent } from './envelope.ts';
import type { OaPush } from './envelope.ts';
import { parseOaEvent } from './event.parser.ts';

/** Parses a text message. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html */
function parseText(push: OaPush): InboundEvent {
  // MsgId exceeds 2^53: it stays the string the XML carried.
  const msgId = push.fields.required('MsgId');
  const content = push.fields.present('Content');
  check(push);
  return { ...eventBase(push, 'oa_text_message', messageKey(push, msgId)), msgId, content };
}

/**
 * Turns the XML of a verified official-account push into domain events; `corpId` is the tenant owning the
 * account. Message types and events it does not know become one `unknown` event with the payload kept.
 * @throws ParseError when the XML is unreadable or a required field is missing.
 */
export function parseOfficialAccountXml(plaintext: string, account: { corpId: string }): InboundEvent[] {
  let raw: XmlNode;
  try {
    raw = parseXml(plaintext);
  } catch (err) {
    if (err instanceof XmlError) throw new ParseError('official_account', 'xml', [], ['xml'], { cause: err });
    throw err;
  }
  const push = readPush(raw, account.corpId);
  if (push.msgType === 'text') return [parseText(push)];
  if (push.msgType === 'event') return [parseOaEvent(push)];
  return [unknownEvent(push)];
}
