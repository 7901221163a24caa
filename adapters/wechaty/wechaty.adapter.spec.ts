import { expect } from 'chai';
import { WechatyBuilder } from 'wechaty';
import type { Wechaty } from 'wechaty';
import { mock } from 'wechaty-puppet-mock';
import type * as PUPPET from 'wechaty-puppet';
import type { InboundEvent, OutboundMessage, SendResult } from '../channel-adapter.ts';
import { PuppetMockWithFriendship } from './test-support/puppet-mock-with-friendship.ts';
import { WechatyAdapter } from './wechaty.adapter.ts';

const CORP = 'ww-corp-1';
const CONFIG = { botId: 'bot-sh-01', puppet: 'wechaty-puppet-service', puppetToken: 'puppet_workpro_test' };

/** Polls until `check` returns a value (events arrive asynchronously from the mock). */
async function until<T>(check: () => T | undefined | false, what: string, ms = 2000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) expect.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const failed = (r: SendResult) => {
  if (r.ok) expect.fail('expected a failed send');
  return r.error;
};

describe('WechatyAdapter (wechaty-puppet-mock)', () => {
  let mocker: mock.Mocker;
  let puppet: PuppetMockWithFriendship;
  let bot: Wechaty;
  let adapter: WechatyAdapter;
  let user: mock.ContactMock;
  let alice: mock.ContactMock;
  let bob: mock.ContactMock;
  let carol: mock.ContactMock;
  let room: mock.RoomMock;
  const received: { event: InboundEvent; envelope: string }[] = [];
  const warnings: string[] = [];
  let failNextHandler = false;

  const eventsOf = <K extends InboundEvent['kind']>(kind: K, match: (e: Extract<InboundEvent, { kind: K }>) => boolean) =>
    received.map((r) => r.event).filter((e): e is Extract<InboundEvent, { kind: K }> => e.kind === kind && match(e as Extract<InboundEvent, { kind: K }>));
  const eventOf = <K extends InboundEvent['kind']>(kind: K, match: (e: Extract<InboundEvent, { kind: K }>) => boolean) => eventsOf(kind, match)[0];
  const roomMessages = (text: string) => eventsOf('room_message', (e) => e.text === text);

  before(async () => {
    mocker = new mock.Mocker();
    puppet = new PuppetMockWithFriendship({ mocker });
    bot = WechatyBuilder.build({ puppet });
    adapter = new WechatyAdapter({ corpId: CORP, config: CONFIG, bot, logger: { warn: (_obj, msg) => warnings.push(msg) } });
    await adapter.listen(async (event, envelope) => {
      if (failNextHandler) {
        failNextHandler = false;
        throw new Error('handler failed');
      }
      received.push({ event, envelope });
    });
    user = mocker.createContact({ name: 'Siyu Bot' });
    mocker.login(user);
    await until(() => bot.isLoggedIn, 'login');
    [alice, bob, carol] = [mocker.createContact({ name: 'Alice' }), mocker.createContact({ name: 'Bob' }), mocker.createContact({ name: 'Carol' })];
    room = mocker.createRoom({ topic: '静安店 VIP 群', memberIdList: [user.id, alice.id] });
  });

  after(async () => {
    await adapter.stop();
  });

  describe('listen', () => {
    it('emits one room_message with the room, talker and message ids when a contact speaks in a room', async () => {
      alice.say('hello everyone').to(room);
      const event = await until(() => roomMessages('hello everyone')[0], 'room_message');
      const sent = [...mocker.cacheMessagePayload.values()].find((p) => p.text === 'hello everyone')!;
      expect(event).to.deep.equal({
        kind: 'room_message',
        channel: 'wechaty',
        corpId: CORP,
        idempotencyKey: `wechaty:bot-sh-01:msg:${sent.id}`,
        occurredAt: new Date(sent.timestamp),
        roomId: room.id,
        talkerId: alice.id,
        messageId: sent.id,
        messageType: 7,
        text: 'hello everyone',
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(roomMessages('hello everyone')).to.have.length(1);
    });

    it('emits room_joined when a member adds a contact to the room', async () => {
      room.add(bob).by(alice);
      const event = await until(() => eventOf('room_joined', (e) => e.inviteeIds.includes(bob.id)), 'room_joined');
      expect(event).to.deep.include({ roomId: room.id, inviteeIds: [bob.id], inviterId: alice.id });
      expect(event.idempotencyKey).to.equal(`wechaty:bot-sh-01:room_join:${room.id}:${bob.id}:${event.occurredAt.getTime()}`);
    });

    it('emits room_left when a member removes a contact from the room', async () => {
      room.remove(bob).by(alice);
      const event = await until(() => eventOf('room_left', (e) => e.leaverIds.includes(bob.id)), 'room_left');
      expect(event).to.deep.include({ roomId: room.id, leaverIds: [bob.id], removerId: alice.id });
      expect(event.idempotencyKey).to.equal(`wechaty:bot-sh-01:room_leave:${room.id}:${bob.id}:${event.occurredAt.getTime()}`);
    });

    it('survives the errors the mock raises on room joins and leaves, logging them', () => {
      // wechaty 1.20 treats the room id of a RoomMember dirty event as a contact id; the mock has no such contact.
      expect(warnings).to.include('wechaty error');
    });

    it('emits friendship_requested for an incoming friend request', async () => {
      const friendshipId = puppet.receiveFriendRequest(carol.id, '我是在门店扫码的', 1795346990000);
      const event = await until(() => eventOf('friendship_requested', (e) => e.friendshipId === friendshipId), 'friendship_requested');
      expect(event).to.deep.equal({
        kind: 'friendship_requested',
        channel: 'wechaty',
        corpId: CORP,
        idempotencyKey: `wechaty:bot-sh-01:friendship:${friendshipId}`,
        occurredAt: new Date(1795346990000),
        friendshipId,
        contactId: carol.id,
        hello: '我是在门店扫码的',
      });
    });

    it('emits friendship_confirmed when a friendship is confirmed', async () => {
      const friendshipId = puppet.confirmFriendship(carol.id);
      const event = await until(() => eventOf('friendship_confirmed', (e) => e.friendshipId === friendshipId), 'friendship_confirmed');
      expect(event).to.deep.include({ contactId: carol.id, idempotencyKey: `wechaty:bot-sh-01:friendship_confirm:${friendshipId}` });
    });

    it("ignores the bot's own messages, typed in the room or sent through send()", async () => {
      user.say('typed by the bot account').to(room);
      await adapter.send({ clientId: 't-self', to: [{ type: 'group', id: room.id }], text: 'sent by the adapter' });
      alice.say('after the bot spoke').to(room);
      await until(() => roomMessages('after the bot spoke').length, 'the next message');
      await new Promise((r) => setTimeout(r, 20));
      expect(received.filter((r) => 'talkerId' in r.event && r.event.talkerId === user.id)).to.deep.equal([]);
      expect([...mocker.cacheMessagePayload.values()].filter((p) => p.talkerId === user.id)).to.have.length(2);
    });

    it('keeps one-to-one messages as unknown events', async () => {
      alice.say('a private question').to(user);
      const event = await until(() => received.find((r) => r.event.kind === 'unknown' && r.event.raw.text === 'a private question'), 'unknown');
      expect(event.event).to.deep.include({ kind: 'unknown', event: 'message', msgType: 'Text' });
    });

    it('keeps listening after the handler fails, logging the failure', async () => {
      failNextHandler = true;
      alice.say('first, lost').to(room);
      await until(() => !failNextHandler, 'the failing handler');
      alice.say('second, kept').to(room);
      await until(() => roomMessages('second, kept').length, 'the next message');
      expect(warnings).to.include('wechaty event not handled');
    });

    it('hands over envelopes that parseInbound turns back into the same events', () => {
      expect(received.length).to.be.greaterThan(5);
      for (const { event, envelope } of received) expect(adapter.parseInbound(envelope)).to.deep.equal([event]);
    });
  });

  describe('send', () => {
    /** What reached the mock from the bot account since `mark()` (the mocker keeps every message payload). */
    const mark = () => {
      const seen = new Set(mocker.cacheMessagePayload.keys());
      return (): PUPPET.payloads.Message[] => [...mocker.cacheMessagePayload.values()].filter((p) => !seen.has(p.id) && p.talkerId === user.id);
    };

    it('sends text to a contact by id', async () => {
      const delivered = mark();
      const result = await adapter.send({ clientId: 't1', to: [{ type: 'contact', id: alice.id }], text: '周末有会员日活动' });
      expect(result).to.deep.equal({ ok: true });
      expect(delivered()).to.have.length(1);
      expect(delivered()[0]).to.deep.include({ talkerId: user.id, listenerId: alice.id, text: '周末有会员日活动' });
    });

    it('sends text to a room by id', async () => {
      const delivered = mark();
      const result = await adapter.send({ clientId: 't2', to: [{ type: 'group', id: room.id }], text: '群公告：本周六闭店' });
      expect(result.ok).to.equal(true);
      expect(delivered().map((p) => [p.talkerId, p.roomId, p.text])).to.deep.equal([[user.id, room.id, '群公告：本周六闭店']]);
    });

    it('sends a link attachment as a UrlLink card', async () => {
      const link = { type: 'link' as const, title: '会员日', url: 'https://example.com/vip', description: '六折', picUrl: 'https://example.com/p.png' };
      const result = await adapter.send({ clientId: 't3', to: [{ type: 'contact', id: alice.id }], attachments: [link] });
      expect(result.ok).to.equal(true);
      expect(puppet.sentUrls).to.deep.equal([
        { conversationId: alice.id, payload: { url: link.url, title: link.title, description: link.description, thumbnailUrl: link.picUrl } },
      ]);
    });

    it('refuses images and mini programs with an invalid ChannelError before sending anything', async () => {
      const delivered = mark();
      const attachments: OutboundMessage['attachments'] = [
        { type: 'image', url: 'https://example.com/a.png' },
        { type: 'miniprogram', appId: 'wx123', title: '商城', page: 'pages/index', picUrl: 'https://example.com/m.png' },
      ];
      const result = await adapter.send({ clientId: 't4', to: [{ type: 'contact', id: alice.id }], text: 'see', attachments });
      expect(failed(result)).to.deep.include({ kind: 'invalid', errcode: null, retryable: false, message: 'wechaty adapter cannot send image, miniprogram attachments' });
      expect(delivered()).to.deep.equal([]);
    });

    it('refuses a delivery route other than the bot itself', async () => {
      const msg = { clientId: 't7', to: [{ type: 'contact', id: alice.id }], text: 'hi', route: 'mass_send' } as OutboundMessage;
      expect(failed(await adapter.send(msg)).kind).to.equal('invalid');
    });

    it('reports an unknown recipient as a recipient error, and partial failures by id', async () => {
      const alone = await adapter.send({ clientId: 't5', to: [{ type: 'contact', id: 'wxid_nobody' }], text: 'hi' });
      expect(failed(alone).kind).to.equal('recipient');
      const mixed = await adapter.send({ clientId: 't6', to: [{ type: 'group', id: 'nowhere@chatroom' }, { type: 'contact', id: alice.id }], text: 'hi' });
      expect(mixed).to.deep.equal({ ok: true, failedRecipientIds: ['nowhere@chatroom'] });
    });
  });

  describe('addFriend', () => {
    it('sends Friendship.add with the hello to a contact id', async () => {
      const result = await adapter.addFriend({ contactId: bob.id }, '您好，我是静安店的小林');
      expect(result).to.deep.equal({ ok: true, vendorId: bob.id });
      expect(puppet.added.at(-1)).to.deep.equal({ contactId: bob.id, options: { contactId: undefined, hello: '您好，我是静安店的小林', roomId: undefined } });
    });

    it('searches a phone number first and reports the contact found', async () => {
      puppet.phoneBook.set('13800138000', carol.id);
      const result = await adapter.addFriend({ phone: '13800138000' }, 'hello');
      expect(result).to.deep.equal({ ok: true, vendorId: carol.id });
      expect(puppet.added.at(-1)?.contactId).to.equal(carol.id);
    });

    it('reports a phone nobody has as a recipient error', async () => {
      const before = puppet.added.length;
      expect(failed(await adapter.addFriend({ phone: '13900000000' }, 'hello')).kind).to.equal('recipient');
      expect(puppet.added).to.have.length(before);
    });

    it('returns a puppet failure as a ChannelError instead of throwing', async () => {
      puppet.failNextAdd = new Error('risk control: too many requests');
      const error = failed(await adapter.addFriend({ contactId: bob.id }, 'hello'));
      expect(error).to.deep.include({ kind: 'unknown', message: 'risk control: too many requests' });
    });

    it('needs a phone or a contact id', async () => {
      expect(failed(await adapter.addFriend({}, 'hello')).kind).to.equal('invalid');
    });
  });

  describe('checkCredentials', () => {
    it('reports a logged-in bot as working', async () => {
      expect(await adapter.checkCredentials()).to.deep.equal({ ok: true });
    });
  });
});

describe('WechatyAdapter (not listening)', () => {
  let adapter: WechatyAdapter;
  const warnings: string[] = [];

  beforeEach(() => {
    const puppet = new PuppetMockWithFriendship({ mocker: new mock.Mocker() });
    adapter = new WechatyAdapter({ corpId: CORP, config: CONFIG, puppetFactory: () => puppet, logger: { warn: (_o, msg) => warnings.push(msg) } });
  });

  afterEach(async () => {
    await adapter.stop();
  });

  it('answers webhooks with 400: wechaty has none', () => {
    expect(adapter.verifyWebhook()).to.deep.equal({ ok: false, status: 400, reason: 'wechaty has no webhook' });
  });

  it('reports credentials as not working until the bot is started and logged in', async () => {
    expect(await adapter.checkCredentials()).to.deep.include({ ok: false });
    await adapter.listen(async () => {});
    expect(await adapter.checkCredentials()).to.deep.include({ ok: false, message: 'wechaty bot not logged in (waiting for a scan?)' });
  });

  it('refuses sends and friend requests with an auth error while logged out', async () => {
    const send = await adapter.send({ clientId: 't', to: [{ type: 'contact', id: 'wxid_alice' }], text: 'hi' });
    expect(failed(send)).to.deep.include({ kind: 'auth', retryable: false });
    expect(failed(await adapter.addFriend({ contactId: 'wxid_alice' }, 'hi')).kind).to.equal('auth');
  });

  it('tells when the next friend request may go out under the account pacing', () => {
    // Default pacing: 09:30–18:00 Asia/Shanghai, Monday to Friday. 2026-06-06 is a Saturday.
    expect(adapter.nextFriendAddAt([], new Date('2026-06-06T03:00:00Z'))?.toISOString()).to.equal('2026-06-08T01:30:00.000Z');
  });
});

describe('wechatyAccountConfigSchema (through the adapter)', () => {
  it('rejects a config without a puppet package name', () => {
    expect(() => new WechatyAdapter({ corpId: CORP, config: { botId: 'b1', puppet: 'puppeteer' } })).to.throw(/puppet/);
  });

  it('rejects a bot id that would break idempotency keys', () => {
    expect(() => new WechatyAdapter({ corpId: CORP, config: { botId: 'a:b', puppet: 'wechaty-puppet-service' } })).to.throw(/botId/);
  });
});
