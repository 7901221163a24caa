/**
 * The fields every decrypted WeCom callback shares, and the pieces every WeCom parser builds its event from:
 * the common event fields, the idempotency key and the `unknown` fallback.
 */
import { createHash } from 'node:crypto';
import type { InboundEventBase, UnknownEvent } from '../../channel-adapter.ts';
import type { XmlNode } from '../../shared/xml.ts';
import { FieldReader } from './fields.ts';

/**
 * One callback being parsed. Self-built and 代开发 apps send `ToUserName`/`CreateTime`/`Event`; third-party
 * suites send `AuthCorpId`/`TimeStamp`/`InfoType` with the same ChangeType fields (protocol notes §2).
 */
export type WecomCallback = {
  fields: FieldReader;
  raw: XmlNode;
  corpId: string;
  createTime: string;
  occurredAt: Date;
  msgType: string | null;
  event: string | null;
  changeType: string | null;
};

/** Reads the common fields; missing ones are recorded and reported by {@link check}. */
export function readCallback(raw: XmlNode): WecomCallback {
  const fields = new FieldReader(raw);
  const corpId = fields.required('ToUserName', 'AuthCorpId');
  const time = fields.seconds('CreateTime', 'TimeStamp');
  return {
    fields,
    raw,
    corpId,
    createTime: time.text,
    occurredAt: time.date,
    msgType: fields.optional('MsgType'),
    event: fields.optional('Event') ?? fields.optional('InfoType'),
    changeType: fields.optional('ChangeType'),
  };
}

/** `Event/ChangeType` (or the MsgType) for error messages. */
function vendorType(cb: WecomCallback): string {
  return [cb.event ?? cb.msgType ?? '?', cb.changeType].filter((part) => part !== null).join('/');
}

/** Throws ParseError if any field read so far was missing or unreadable. */
export function check(cb: WecomCallback): void {
  cb.fields.check('wecom', vendorType(cb));
}

/** The first 16 hex digits of a SHA-1, to fit variable-length data into a key. */
export function digest(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/**
 * The common event fields; the key is `wecom:{CorpID}:{Event}[:{ChangeType}]:{ids…}:{CreateTime}`. Call
 * after {@link check}.
 */
export function eventBase<K extends string>(cb: WecomCallback, kind: K, ids: readonly string[]): InboundEventBase<K, 'wecom'> {
  const parts = ['wecom', cb.corpId, cb.event ?? cb.msgType ?? '', cb.changeType, ...ids, cb.createTime];
  return {
    kind,
    channel: 'wecom',
    corpId: cb.corpId,
    idempotencyKey: parts.filter((part) => part !== null).join(':'),
    occurredAt: cb.occurredAt,
  };
}

/**
 * A callback no parser handles, kept raw. Keyed by its MsgId (`wecom:{CorpID}:msg:{MsgId}`) when it has
 * one, else by a digest of the whole payload in place of the ids.
 */
export function unknownEvent(cb: WecomCallback): UnknownEvent {
  const msgId = cb.fields.optional('MsgId');
  check(cb);
  const base = eventBase(cb, 'unknown', [digest(JSON.stringify(cb.raw))]);
  const idempotencyKey = msgId === null ? base.idempotencyKey : `wecom:${cb.corpId}:msg:${msgId}`;
  return { ...base, idempotencyKey, msgType: cb.msgType, event: cb.event, changeType: cb.changeType, raw: cb.raw };
}

/** The fallback of families that need a ChangeType: a missing one is a ParseError, an unknown one is kept raw. */
export function unknownChange(cb: WecomCallback): UnknownEvent {
  if (cb.changeType === null) cb.fields.required('ChangeType');
  return unknownEvent(cb);
}
