import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ParseError } from '../channel-adapter.ts';
import type { InboundEvent } from '../channel-adapter.ts';
import { deserializeWechatyEvent, parseWechatyInbound, serializeWechatyEvent, toInboundEvents } from './wechaty-events.ts';
import type { WechatyRawEvent } from './wechaty-events.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
const ctx = { corpId: 'ww-corp-1', botId: 'bot-sh-01' };
const ROOM = '20931125@chatroom';

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ParseError);
    return err as ParseError;
  }
  expect.fail('expected a ParseError');
}

describe('parseWechatyInbound (wechaty envelopes)', () => {
  const EXPECTED: Record<string, InboundEvent[]> = {
    'message.room': [
      {
        kind: 'room_message',
        channel: 'wechaty',
        corpId: ctx.corpId,
        idempotencyKey: 'wechaty:bot-sh-01:msg:msg-5f1c0e2a',
        occurredAt: new Date(1795346963109),
        roomId: ROOM,
        talkerId: 'wxid_alice',
        messageId: 'msg-5f1c0e2a',
        messageType: 7,
        text: '请问周末有活动吗？',
      },
    ],
    'message.self': [],
    'room-join': [
      {
        kind: 'room_joined',
        channel: 'wechaty',
        corpId: ctx.corpId,
        idempotencyKey: `wechaty:bot-sh-01:room_join:${ROOM}:wxid_bob,wxid_carol:1795346970000`,
        occurredAt: new Date(1795346970000),
        roomId: ROOM,
        inviteeIds: ['wxid_carol', 'wxid_bob'],
        inviterId: 'wxid_alice',
      },
    ],
    'room-leave': [
      {
        kind: 'room_left',
        channel: 'wechaty',
        corpId: ctx.corpId,
        idempotencyKey: `wechaty:bot-sh-01:room_leave:${ROOM}:wxid_bob:1795346980000`,
        occurredAt: new Date(1795346980000),
        roomId: ROOM,
        leaverIds: ['wxid_bob'],
        removerId: null,
      },
    ],
    'friendship.receive': [
      {
        kind: 'friendship_requested',
        channel: 'wechaty',
        corpId: ctx.corpId,
        idempotencyKey: 'wechaty:bot-sh-01:friendship:fr-3c9d',
        occurredAt: new Date(1795346990000),
        friendshipId: 'fr-3c9d',
        contactId: 'wxid_dave',
        hello: '我是在门店扫码的',
      },
    ],
    'friendship.confirm': [
      {
        kind: 'friendship_confirmed',
        channel: 'wechaty',
        corpId: ctx.corpId,
        idempotencyKey: 'wechaty:bot-sh-01:friendship_confirm:fr-3c9e',
        occurredAt: new Date(1795346995000),
        friendshipId: 'fr-3c9e',
        contactId: 'wxid_dave',
      },
    ],
  };

  for (const [name, events] of Object.entries(EXPECTED)) {
    it(`turns ${name}.json into ${events.length ? events.map((e) => e.kind).join(', ') : 'no event'}`, () => {
      expect(parseWechatyInbound(fixture(name), ctx)).to.deep.equal(events);
    });
  }

  it('keeps a one-to-one message as an unknown event keyed by its message id', () => {
    const [event] = parseWechatyInbound(fixture('message.direct'), ctx);
    expect(event).to.deep.include({ kind: 'unknown', idempotencyKey: 'wechaty:bot-sh-01:msg:msg-77aa01', msgType: 'Text', event: 'message', changeType: null });
    expect(event).to.have.nested.property('raw.text', '你好');
  });

  it('keeps other friendship types as unknown events keyed by type and friendship id', () => {
    const [event] = parseWechatyInbound(fixture('friendship.verify'), ctx);
    expect(event).to.deep.include({ kind: 'unknown', idempotencyKey: 'wechaty:bot-sh-01:friendship_verify:fr-3c9f', event: 'friendship', changeType: 'Verify' });
  });

  it('gives the same key whatever the order of the invitee list', () => {
    const raw = deserializeWechatyEvent(fixture('room-join'));
    if (raw.event !== 'room-join') expect.fail('fixture is a room-join');
    const reversed: WechatyRawEvent = { event: 'room-join', payload: { ...raw.payload, inviteeIds: [...raw.payload.inviteeIds].reverse() } };
    expect(toInboundEvents(reversed, ctx)[0]?.idempotencyKey).to.equal(toInboundEvents(raw, ctx)[0]?.idempotencyKey);
  });

  it('refuses an envelope recorded for another bot', () => {
    const err = parseError(() => parseWechatyInbound(fixture('message.room'), { ...ctx, botId: 'bot-bj-02' }));
    expect(err.invalid).to.deep.equal(['botId']);
  });

  it('reports missing and malformed fields as a ParseError', () => {
    const json = JSON.parse(fixture('room-join')) as { payload: Record<string, unknown> };
    delete json.payload.inviterId;
    json.payload.timestamp = 'yesterday';
    const err = parseError(() => parseWechatyInbound(JSON.stringify(json), ctx));
    expect(err.vendorType).to.equal('room-join');
    expect(err.missing).to.deep.equal(['payload.inviterId']);
    expect(err.invalid).to.deep.equal(['payload.timestamp']);
  });

  it('reports text that is not JSON as a ParseError', () => {
    expect(parseError(() => parseWechatyInbound('<xml/>', ctx)).invalid).to.deep.equal(['json']);
  });
});

describe('serializeWechatyEvent', () => {
  it('round-trips every fixture byte for byte', () => {
    for (const name of ['message.room', 'message.direct', 'message.self', 'room-join', 'room-leave', 'friendship.receive', 'friendship.confirm', 'friendship.verify']) {
      const text = fixture(name).trim();
      const { v: _v, source: _s, botId, ...raw } = deserializeWechatyEvent(text);
      expect(serializeWechatyEvent(botId, raw as WechatyRawEvent), name).to.equal(text);
    }
  });

  it('serializes an event the listener read so that parsing gives the events the listener emitted', () => {
    const raw: WechatyRawEvent = {
      event: 'room-leave',
      payload: { roomId: ROOM, roomTopic: null, leaverIds: ['wxid_bob'], removerId: 'wxid_alice', timestamp: 1795346980123 },
    };
    expect(parseWechatyInbound(serializeWechatyEvent(ctx.botId, raw), ctx)).to.deep.equal(toInboundEvents(raw, ctx));
  });
});
