/**
 * wechaty is push-based: the adapter's listener reads each bot event into a plain payload (ids, topic, names,
 * timestamps, friendship type), wraps it in a JSON envelope the core records in its inbox like a webhook
 * plaintext, and these pure converters turn it into domain events. No wechaty objects, no clock, no I/O.
 * https://wechaty.js.org/docs/api/wechaty#events
 */
import { Friendship as FriendshipType, Message as MessageType } from 'wechaty-puppet/types';
import { z } from 'zod';
import { ParseError } from '../channel-adapter.ts';
import type { InboundEvent, UnknownEvent } from '../channel-adapter.ts';

const id = z.string().min(1);
/** Milliseconds since the epoch, as the puppet reported it (wechaty's `date` argument / `message.date()`). */
const timestamp = z.number().int().nonnegative();

const messagePayload = z.strictObject({
  messageId: id,
  talkerId: id,
  talkerName: z.string().nullable(),
  /** Null for a one-to-one message. */
  roomId: id.nullable(),
  roomTopic: z.string().nullable(),
  listenerId: id.nullable(),
  /** Sent by the bot itself (wechaty echoes the bot's own messages back). */
  self: z.boolean(),
  /** wechaty `types.Message` (Text = 7). */
  messageType: z.number().int(),
  text: z.string(),
  timestamp,
});
const roomJoinPayload = z.strictObject({
  roomId: id,
  roomTopic: z.string().nullable(),
  inviteeIds: z.array(id).min(1),
  inviterId: id,
  timestamp,
});
const roomLeavePayload = z.strictObject({
  roomId: id,
  roomTopic: z.string().nullable(),
  leaverIds: z.array(id).min(1),
  removerId: id.nullable(),
  timestamp,
});
const friendshipPayload = z.strictObject({
  friendshipId: id,
  /** wechaty `types.Friendship`: Unknown 0, Confirm 1, Receive 2, Verify 3. */
  friendshipType: z.number().int(),
  contactId: id,
  contactName: z.string().nullable(),
  hello: z.string(),
  timestamp,
});

const ENVELOPE_VERSION = 1;
const base = { v: z.literal(ENVELOPE_VERSION), source: z.literal('wechaty'), botId: id };
const envelopeSchema = z.discriminatedUnion('event', [
  z.strictObject({ ...base, event: z.literal('message'), payload: messagePayload }),
  z.strictObject({ ...base, event: z.literal('room-join'), payload: roomJoinPayload }),
  z.strictObject({ ...base, event: z.literal('room-leave'), payload: roomLeavePayload }),
  z.strictObject({ ...base, event: z.literal('friendship'), payload: friendshipPayload }),
]);

export type WechatyMessagePayload = z.output<typeof messagePayload>;
export type WechatyRoomJoinPayload = z.output<typeof roomJoinPayload>;
export type WechatyRoomLeavePayload = z.output<typeof roomLeavePayload>;
export type WechatyFriendshipPayload = z.output<typeof friendshipPayload>;

/** One bot event as the listener read it, before conversion; the envelope adds the version, source and bot id. */
export type WechatyRawEvent =
  | { event: 'message'; payload: WechatyMessagePayload }
  | { event: 'room-join'; payload: WechatyRoomJoinPayload }
  | { event: 'room-leave'; payload: WechatyRoomLeavePayload }
  | { event: 'friendship'; payload: WechatyFriendshipPayload };

/** The recorded form: `{"v":1,"source":"wechaty","botId":…,"event":…,"payload":{…}}`. */
export type WechatyEnvelope = WechatyRawEvent & { v: typeof ENVELOPE_VERSION; source: 'wechaty'; botId: string };

/** The account an event belongs to: the tenant for `corpId`, the bot for idempotency keys. */
export type WechatyEventContext = { corpId: string; botId: string };

/**
 * The envelope text for one event, validated and with fields in schema order, so the same event always
 * serializes to the same bytes (the inbox deduplicates on a digest of the plaintext).
 * @throws ZodError when the listener read a malformed payload.
 */
export function serializeWechatyEvent(botId: string, raw: WechatyRawEvent): string {
  return JSON.stringify(envelopeSchema.parse({ v: ENVELOPE_VERSION, source: 'wechaty', botId, ...raw }));
}

/**
 * Reads an envelope back. @throws ParseError when the text is not JSON or a field is missing or malformed.
 */
export function deserializeWechatyEvent(plaintext: string): WechatyEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch (err) {
    throw new ParseError('wechaty', 'json', [], ['json'], { cause: err });
  }
  const parsed = envelopeSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const vendorType = isRecord(json) && typeof json.event === 'string' ? json.event : 'envelope';
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.') || '(root)';
    (valueAt(json, issue.path) === undefined ? missing : invalid).push(path);
  }
  throw new ParseError('wechaty', vendorType, missing, invalid, { cause: parsed.error });
}

/**
 * Turns a recorded envelope into domain events (none for the bot's own messages).
 * @throws ParseError when the envelope is unreadable or belongs to another bot.
 */
export function parseWechatyInbound(plaintext: string, ctx: WechatyEventContext): InboundEvent[] {
  const envelope = deserializeWechatyEvent(plaintext);
  if (envelope.botId !== ctx.botId) throw new ParseError('wechaty', envelope.event, [], ['botId']);
  return toInboundEvents(envelope, ctx);
}

/**
 * The domain events for one bot event. Room messages, joins, leaves and friend requests / confirmations map
 * to their own kinds; one-to-one messages and other friendship types become `unknown`, kept raw.
 */
export function toInboundEvents(raw: WechatyRawEvent, ctx: WechatyEventContext): InboundEvent[] {
  const common = { channel: 'wechaty' as const, corpId: ctx.corpId, occurredAt: new Date(raw.payload.timestamp) };
  const key = (...parts: string[]) => ['wechaty', ctx.botId, ...parts].join(':');
  switch (raw.event) {
    case 'message': {
      const p = raw.payload;
      if (p.self) return [];
      const idempotencyKey = key('msg', p.messageId);
      if (p.roomId === null) return [unknown(raw, idempotencyKey, common, MessageType[p.messageType] ?? String(p.messageType))];
      const { roomId, talkerId, messageId, messageType, text } = p;
      return [{ ...common, kind: 'room_message', idempotencyKey, roomId, talkerId, messageId, messageType, text }];
    }
    case 'room-join': {
      const { roomId, inviteeIds, inviterId, timestamp: ts } = raw.payload;
      const idempotencyKey = key('room_join', roomId, sortedIds(inviteeIds), String(ts));
      return [{ ...common, kind: 'room_joined', idempotencyKey, roomId, inviteeIds: [...inviteeIds], inviterId }];
    }
    case 'room-leave': {
      const { roomId, leaverIds, removerId, timestamp: ts } = raw.payload;
      const idempotencyKey = key('room_leave', roomId, sortedIds(leaverIds), String(ts));
      return [{ ...common, kind: 'room_left', idempotencyKey, roomId, leaverIds: [...leaverIds], removerId }];
    }
    case 'friendship': {
      const { friendshipId, friendshipType, contactId, hello } = raw.payload;
      if (friendshipType === FriendshipType.Receive) {
        return [{ ...common, kind: 'friendship_requested', idempotencyKey: key('friendship', friendshipId), friendshipId, contactId, hello }];
      }
      if (friendshipType === FriendshipType.Confirm) {
        return [{ ...common, kind: 'friendship_confirmed', idempotencyKey: key('friendship_confirm', friendshipId), friendshipId, contactId }];
      }
      const typeName = FriendshipType[friendshipType] ?? String(friendshipType);
      return [unknown(raw, key(`friendship_${typeName.toLowerCase()}`, friendshipId), common, null, typeName)];
    }
  }
}

/** Ids in a key: sorted so the puppet's list order does not matter, comma-joined. */
const sortedIds = (ids: readonly string[]) => [...ids].sort().join(',');

function unknown(
  raw: WechatyRawEvent,
  idempotencyKey: string,
  common: { channel: 'wechaty'; corpId: string; occurredAt: Date },
  msgType: string | null,
  changeType: string | null = null,
): UnknownEvent {
  return { ...common, kind: 'unknown', idempotencyKey, msgType, event: raw.event, changeType, raw: { ...raw.payload } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
