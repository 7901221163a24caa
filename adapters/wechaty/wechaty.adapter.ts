/**
 * The wechaty (RPA) channel: one bot on a configurable puppet per account. Inbound is push-based — `listen`
 * starts the bot and turns its events into domain events plus the JSON envelope the core records — so
 * there is no webhook. Outbound: text and links to contacts and rooms, and paced `Friendship.add` requests.
 * https://wechaty.js.org/docs/api/wechaty
 */
import { WechatyBuilder } from 'wechaty';
import type { Wechaty } from 'wechaty';
import type * as WECHATY from 'wechaty';
import type { impls } from 'wechaty-puppet';
import { ChannelError } from '../channel-adapter.ts';
import type { ChannelAdapter, CredentialCheck, InboundEvent, OutboundMessage, Recipient, SendResult, VerifiedWebhook } from '../channel-adapter.ts';
import { nextFriendAddAt } from './friendship-pacer.ts';
import { wechatyAccountConfigSchema } from './wechaty-account.schema.ts';
import type { WechatyAccountConfig } from './wechaty-account.schema.ts';
import { parseWechatyInbound, serializeWechatyEvent, toInboundEvents } from './wechaty-events.ts';
import type { WechatyRawEvent } from './wechaty-events.ts';

/** The subset of a pino logger the adapter uses. */
export type WechatyLogger = { warn(obj: object, msg: string): void };

/** Receives each domain event with the envelope it came from (record the envelope, then process). */
export type WechatyEventHandler = (event: InboundEvent, envelope: string) => Promise<void>;

export type WechatyAdapterOptions = {
  /** The owning account's corp: the tenant of every event. */
  corpId: string;
  /** The account config, validated with {@link wechatyAccountConfigSchema}. */
  config: unknown;
  /** A bot to drive (specs pass one on a PuppetMock); otherwise built on first use. */
  bot?: Wechaty;
  /** The puppet to build the bot on; defaults to loading `config.puppet` by package name. */
  puppetFactory?: (config: WechatyAccountConfig) => impls.PuppetInterface;
  logger?: WechatyLogger;
  /** Only for events whose puppet gave no time (wechaty types the date as optional). */
  clock?: { now(): Date };
};

const silent: WechatyLogger = { warn: () => {} };

/** The production bot: the puppet by npm name with its token. https://wechaty.js.org/docs/puppet-services/ */
export function buildWechatyBot(config: WechatyAccountConfig, puppet?: impls.PuppetInterface): Wechaty {
  const name = config.name ?? config.botId;
  if (puppet) return WechatyBuilder.build({ name, puppet });
  const puppetOptions = { token: config.puppetToken, ...(config.puppetTlsDisabled ? { tls: { disable: true } } : {}) };
  // wechaty types `puppet` as the official list but resolves any installed package by name.
  return WechatyBuilder.build({ name, puppet: config.puppet as 'wechaty-puppet-service', puppetOptions });
}

export class WechatyAdapter implements ChannelAdapter {
  readonly kind = 'wechaty' as const;
  readonly config: WechatyAccountConfig;
  readonly corpId: string;
  private readonly logger: WechatyLogger;
  private readonly clock: { now(): Date };
  private readonly makeBot: () => Wechaty;
  private built: Wechaty | null;
  private started = false;
  private unsubscribe: (() => void) | null = null;
  /** Bot events are handled one at a time, in arrival order (a join before the leave that follows it). */
  private queue: Promise<void> = Promise.resolve();

  constructor(opts: WechatyAdapterOptions) {
    this.config = wechatyAccountConfigSchema.parse(opts.config);
    this.corpId = opts.corpId;
    this.logger = opts.logger ?? silent;
    this.clock = opts.clock ?? { now: () => new Date() };
    this.built = opts.bot ? this.guard(opts.bot) : null;
    const factory = opts.puppetFactory;
    this.makeBot = () => buildWechatyBot(this.config, factory?.(this.config));
  }

  get botId(): string {
    return this.config.botId;
  }

  /** The bot, built on first use, with an 'error' listener from the start (wechaty emits errors even before login). */
  get bot(): Wechaty {
    this.built ??= this.guard(this.makeBot());
    return this.built;
  }

  verifyWebhook(): VerifiedWebhook {
    return { ok: false, status: 400, reason: 'wechaty has no webhook' };
  }

  parseInbound(plaintext: string): InboundEvent[] {
    return parseWechatyInbound(plaintext, { corpId: this.corpId, botId: this.botId });
  }

  /**
   * Starts the bot and forwards its room messages, joins, leaves and friendships as domain events. The
   * bot's own messages produce nothing; a failing handler or conversion is logged and the bot keeps going.
   */
  async listen(onEvent: WechatyEventHandler): Promise<void> {
    if (this.unsubscribe) throw new Error(`wechaty bot ${this.botId} is already listening`);
    const bot = this.bot;
    const on = <A extends unknown[]>(read: (...args: A) => Promise<WechatyRawEvent | null>) =>
      (...args: A) => this.enqueue(() => read(...args), onEvent);
    const listeners = {
      message: on(readMessage),
      'room-join': on((room: WECHATY.Room, invitees: WECHATY.Contact[], inviter: WECHATY.Contact, date?: Date) => readRoomJoin(room, invitees, inviter, this.at(date))),
      'room-leave': on((room: WECHATY.Room, leavers: WECHATY.Contact[], remover?: WECHATY.Contact, date?: Date) => readRoomLeave(room, leavers, remover, this.at(date))),
      friendship: on((f: WECHATY.Friendship) => readFriendship(f, this.clock)),
    };
    bot.on('message', listeners.message).on('room-join', listeners['room-join']).on('room-leave', listeners['room-leave']).on('friendship', listeners.friendship);
    this.unsubscribe = () => {
      bot.off('message', listeners.message);
      bot.off('room-join', listeners['room-join']);
      bot.off('room-leave', listeners['room-leave']);
      bot.off('friendship', listeners.friendship);
    };
    try {
      await bot.start();
    } catch (err) {
      this.unsubscribe();
      this.unsubscribe = null;
      throw err;
    }
    this.started = true;
  }

  /** Stops the bot (and the puppet behind it) after the events already received are handled. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.started) {
      this.started = false;
      await this.bot.stop();
    }
    await this.queue;
  }

  async checkCredentials(): Promise<CredentialCheck> {
    if (!this.started) return { ok: false, message: 'wechaty bot not started' };
    return this.bot.isLoggedIn ? { ok: true } : { ok: false, message: 'wechaty bot not logged in (waiting for a scan?)' };
  }

  /**
   * Sends the text, then each link card, to every recipient (contact id or room id). Images and mini
   * programs are refused up front with `invalid`. https://wechaty.js.org/docs/api/contact#contactsaytextorcontactorfileorurlormini
   */
  async send(msg: OutboundMessage): Promise<SendResult> {
    const refused = this.refuse(msg);
    if (refused) return { ok: false, error: refused };
    const links = (msg.attachments ?? []).flatMap((a) => (a.type === 'link' ? [a] : []));
    const failed: string[] = [];
    let firstError: ChannelError | null = null;
    let vendorId: string | undefined;
    for (const to of msg.to) {
      try {
        const target = await this.find(to);
        const sent: (void | WECHATY.Message)[] = [];
        if (msg.text) sent.push(await target.say(msg.text));
        for (const l of links) {
          sent.push(await target.say(new this.bot.UrlLink({ url: l.url, title: l.title, description: l.description, thumbnailUrl: l.picUrl })));
        }
        vendorId ??= sent.find((m) => m)?.id;
      } catch (err) {
        failed.push(to.id);
        firstError ??= toChannelError(err);
      }
    }
    if (firstError && failed.length === msg.to.length) return { ok: false, error: firstError };
    return { ok: true, ...(vendorId ? { vendorId } : {}), ...(failed.length ? { failedRecipientIds: failed } : {}) };
  }

  /**
   * Sends a friend request with `hello` to a known contact id, or to whoever `Friendship.search` finds for
   * a phone number. `vendorId` is the wechaty contact id, to match the later `friendship_confirmed`.
   * Pace calls with {@link nextFriendAddAt}. https://wechaty.js.org/docs/api/friendship#friendshipaddcontact-hello
   */
  async addFriend(contactQuery: { phone?: string; contactId?: string }, hello: string): Promise<SendResult> {
    const { phone, contactId } = contactQuery;
    if (!phone && !contactId) return { ok: false, error: invalid('addFriend needs a phone or a contactId') };
    const offline = this.offline();
    if (offline) return { ok: false, error: offline };
    try {
      const contact = contactId ? await this.bot.Contact.find({ id: contactId }) : await this.bot.Friendship.search({ phone: phone ?? '' });
      if (!contact) return { ok: false, error: new ChannelError({ errcode: null, kind: 'recipient', message: `no wechaty contact for ${contactId ? `id ${contactId}` : 'that phone'}` }) };
      await this.bot.Friendship.add(contact, { hello });
      return { ok: true, vendorId: contact.id };
    } catch (err) {
      return { ok: false, error: toChannelError(err) };
    }
  }

  /** When this account may send its next friend request, under its `friendAdd` pacing. */
  nextFriendAddAt(sentAt: readonly Date[], now: Date): Date | null {
    return nextFriendAddAt(this.config.friendAdd, sentAt, now);
  }

  private guard(bot: Wechaty): Wechaty {
    bot.on('error', (e) => this.logger.warn({ err: e, botId: this.botId }, 'wechaty error'));
    return bot;
  }

  private at(date: Date | undefined): Date {
    return date ?? this.clock.now();
  }

  private enqueue(read: () => Promise<WechatyRawEvent | null>, onEvent: WechatyEventHandler): Promise<void> {
    const step = async () => {
      const raw = await read();
      if (!raw) return;
      const envelope = serializeWechatyEvent(this.botId, raw);
      for (const event of toInboundEvents(raw, { corpId: this.corpId, botId: this.botId })) await onEvent(event, envelope);
    };
    this.queue = this.queue.then(step).catch((err: unknown) => this.logger.warn({ err, botId: this.botId }, 'wechaty event not handled'));
    return this.queue;
  }

  private offline(): ChannelError | null {
    if (this.started && this.bot.isLoggedIn) return null;
    return new ChannelError({ errcode: null, kind: 'auth', message: `wechaty bot ${this.botId} is not logged in` });
  }

  private refuse(msg: OutboundMessage): ChannelError | null {
    // A bot has one delivery path: it says the message itself (no staff-confirmed task, no kf, no moments).
    const route = (msg as { route?: string }).route;
    if (route !== undefined) return invalid(`wechaty sends directly; route ${route} is not supported`);
    const unsupported = (msg.attachments ?? []).filter((a) => a.type !== 'link').map((a) => a.type);
    if (unsupported.length) return invalid(`wechaty adapter cannot send ${[...new Set(unsupported)].join(', ')} attachments`);
    if (!msg.text && !msg.attachments?.length) return invalid('nothing to send');
    if (!msg.to.length) return invalid('no recipients');
    return this.offline();
  }

  private async find(to: Recipient): Promise<WECHATY.Contact | WECHATY.Room> {
    const found = to.type === 'group' ? await this.bot.Room.find({ id: to.id }) : await this.bot.Contact.find({ id: to.id });
    if (!found) throw new ChannelError({ errcode: null, kind: 'recipient', message: `no wechaty ${to.type === 'group' ? 'room' : 'contact'} ${to.id}` });
    return found;
  }
}

// ─── Reading wechaty objects into plain payloads ──────────────────────────────────────────────────────────

async function readMessage(m: WECHATY.Message): Promise<WechatyRawEvent> {
  const room = m.room();
  const talker = m.talker();
  return {
    event: 'message',
    payload: {
      messageId: m.id,
      talkerId: talker.id,
      talkerName: talker.name() || null,
      roomId: room?.id ?? null,
      roomTopic: room ? await room.topic() : null,
      listenerId: m.listener()?.id ?? null,
      self: m.self(),
      messageType: m.type(),
      text: m.text(),
      timestamp: m.date().getTime(),
    },
  };
}

async function readRoomJoin(room: WECHATY.Room, invitees: WECHATY.Contact[], inviter: WECHATY.Contact, date: Date): Promise<WechatyRawEvent | null> {
  if (!invitees.length) return null;
  const payload = { roomId: room.id, roomTopic: await room.topic(), inviteeIds: invitees.map((c) => c.id), inviterId: inviter.id, timestamp: date.getTime() };
  return { event: 'room-join', payload };
}

async function readRoomLeave(room: WECHATY.Room, leavers: WECHATY.Contact[], remover: WECHATY.Contact | undefined, date: Date): Promise<WechatyRawEvent | null> {
  if (!leavers.length) return null;
  const payload = { roomId: room.id, roomTopic: await room.topic(), leaverIds: leavers.map((c) => c.id), removerId: remover?.id ?? null, timestamp: date.getTime() };
  return { event: 'room-leave', payload };
}

async function readFriendship(f: WECHATY.Friendship, clock: { now(): Date }): Promise<WechatyRawEvent> {
  const contact = f.contact();
  const ts = f.payload?.timestamp;
  // Puppets report seconds or milliseconds; wechaty's own timestampToDate tells them apart the same way.
  const timestamp = ts === undefined ? clock.now().getTime() : ts < 1e11 ? ts * 1000 : ts;
  return {
    event: 'friendship',
    payload: { friendshipId: f.id, friendshipType: f.type(), contactId: contact.id, contactName: contact.name() || null, hello: f.hello(), timestamp },
  };
}

// ─── Errors ───────────────────────────────────────────────────────────────────────────────────────────────

const invalid = (message: string) => new ChannelError({ errcode: null, kind: 'invalid', message });

/** gRPC status codes a puppet service surfaces when it is down or slow (UNAVAILABLE 14, DEADLINE_EXCEEDED 4). */
const TRANSIENT_GRPC = new Set([4, 14]);

function toChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const kind = typeof code === 'number' && TRANSIENT_GRPC.has(code) ? 'unavailable' : 'unknown';
  return new ChannelError({ errcode: typeof code === 'number' ? code : null, kind, message, cause: err });
}
