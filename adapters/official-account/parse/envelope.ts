/**
 * The fields every official-account push shares (protocol notes §5.3) and the pieces every parser builds
 * its event from: the common fields, the idempotency key and the `unknown` fallback.
 */
import type { InboundEventBase, UnknownEvent } from '../../channel-adapter.ts';
import type { XmlNode } from '../../shared/xml.ts';
import { FieldReader } from '../../wecom/parse/fields.ts';

/** One push being parsed. `corpId` comes from the account the push arrived for, not from the XML. */
export type OaPush = {
  fields: FieldReader;
  raw: XmlNode;
  corpId: string;
  /** The account's original id (`gh_…`), `ToUserName`. */
  accountId: string;
  openId: string;
  createTime: string;
  occurredAt: Date;
  msgType: string;
  event: string | null;
};

/** Reads the common fields; missing ones are recorded and reported by {@link check}. */
export function readPush(raw: XmlNode, corpId: string): OaPush {
  const fields = new FieldReader(raw);
  const accountId = fields.required('ToUserName');
  const openId = fields.required('FromUserName');
  const time = fields.seconds('CreateTime');
  const msgType = fields.required('MsgType');
  const event = fields.optional('Event');
  return { fields, raw, corpId, accountId, openId, createTime: time.text, occurredAt: time.date, msgType, event };
}

/** Throws ParseError if any field read so far was missing or unreadable. */
export function check(push: OaPush): void {
  const vendorType = [push.msgType || '?', push.event].filter((part) => part !== null).join('/');
  push.fields.check('official_account', vendorType);
}

/** Tencent's dedup rule for pushes without an id (sender + CreateTime) plus the event name: `oa:{gh}:{Event}:{openid}:{CreateTime}`. */
export function eventKey(push: OaPush): string {
  return ['oa', push.accountId, push.event ?? push.msgType, push.openId, push.createTime].join(':');
}

/** Key of anything that has a MsgId: `oa:{gh}:msg:{MsgId}`. */
export function messageKey(push: OaPush, msgId: string): string {
  return `oa:${push.accountId}:msg:${msgId}`;
}

/** The common event fields. Call after {@link check}. */
export function eventBase<K extends string>(
  push: OaPush,
  kind: K,
  idempotencyKey: string,
): InboundEventBase<K, 'official_account'> & { accountId: string; openId: string } {
  const { corpId, occurredAt, accountId, openId } = push;
  return { kind, channel: 'official_account', corpId, idempotencyKey, occurredAt, accountId, openId };
}

/**
 * A push no parser handles (image, voice, LOCATION, …), kept raw. Keyed by its MsgId when it has one,
 * else like any event: `oa:{gh}:{Event or MsgType}:{openid}:{CreateTime}`.
 */
export function unknownEvent(push: OaPush): UnknownEvent {
  const msgId = push.fields.optional('MsgId');
  check(push);
  const { corpId, occurredAt, msgType, event, raw } = push;
  const idempotencyKey = msgId !== null ? messageKey(push, msgId) : eventKey(push);
  return { kind: 'unknown', channel: 'official_account', corpId, idempotencyKey, occurredAt, msgType, event, changeType: null, raw };
}
