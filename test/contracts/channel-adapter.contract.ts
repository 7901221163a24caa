/**
 * The one contract every channel adapter passes (STYLE principle 14; model: agenda `packages/agenda/test/shared/`,
 * one suite for every backend). A spec file per adapter calls {@link channelAdapterContract} with a `setup` that
 * starts the vendor fake (the simulators, reached through the account's `apiBase`), builds the adapter through
 * `createAdapter` exactly as production does, and hands back a {@link ContractFixture}. `setup` runs before each
 * case and `teardown` after it, so no case sees another's tokens, windows or recorded requests.
 *
 * Push-based adapters (wechaty: events come from the bot, not from an HTTP callback) supply
 * `webhook: { delivery: 'push' }`: the contract then checks that `verifyWebhook` refuses every request with 400
 * and never throws. Their `inbound.sample` is the envelope the adapter records for one bot event (for wechaty,
 * `serializeWechatyEvent(botId, raw)` of a fixture in adapters/wechaty/fixtures/). The vendor fake is the puppet:
 * `vendor.sends()` lists what the bot was asked to say (e.g. `{ to, text }` per `say`, read from the mock puppet's
 * message store), and the bot must be started and logged in so `send` and `checkCredentials` work. Capabilities a
 * channel does not have are left out — `vendor.tokens` and `vendor.rateLimit` (no tokens, no vendor errcodes),
 * `credentials` when a wrong secret cannot be expressed — and the cases that need them are reported as pending,
 * not passed. For wechaty, `outbound.refused` is a contact id the puppet does not know (kind `recipient`, errcode
 * null, `vendorAttempts: 0`). test/contracts/wechaty.contract.spec.ts then reads:
 *
 *   channelAdapterContract('wechaty', async () => {
 *     const mocker = new mock.Mocker(); const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) });
 *     const adapter = new WechatyAdapter({ corpId, config, bot }); // or createAdapter(...) once registry.ts builds it
 *     await adapter.listen(async () => {}); mocker.login(mocker.createContact({ name: 'bot' })); // await bot.isLoggedIn
 *     // sends(): [...mocker.cacheMessagePayload.values()] said by the bot user, as { to, text }
 *     return { adapter, corpId, webhook: { delivery: 'push' }, inbound: { sample: serializeWechatyEvent(botId, raw) },
 *              outbound: { message, expectedBody, refused, invalidRecipients: [] },
 *              vendor: { sends, lastRequestBody, clear }, teardown: () => adapter.stop() };
 *   });
 */
import { expect } from 'chai';
import { ChannelError, ParseError } from '../../adapters/channel-adapter.ts';
import type { ChannelAdapter, ChannelErrorKind, OutboundMessage, Recipient, SendResult, VerifiedWebhook, WebhookRequest } from '../../adapters/channel-adapter.ts';
import { touchChannelOf } from '../../adapters/registry.ts';
import { CHANNELS } from '../../server/sop/definition/step.schema.ts';

/** How the vendor delivers events: signed HTTP callbacks, or pushed by a bot the adapter drives. */
export type WebhookFixture =
  | {
      delivery: 'webhook';
      /** The sample event (`inbound.sample`) as the vendor pushes it, signed with the account's token. */
      signed(): WebhookRequest;
      /**
       * The same push with its signature (or the signed bytes) altered, or a body the signature does not cover
       * (a plaintext body on a safe-mode account's URL): each must be refused with 401.
       */
      tampered(): WebhookRequest[];
      /** Requests with a valid signature whose payload cannot be used: each must be refused with 400. */
      malformed(): WebhookRequest[];
      /** The vendor's URL verification (GET) and the echo the adapter must answer with. */
      urlVerification(): { request: WebhookRequest; echo: string };
    }
  | { delivery: 'push' };

/** One request to the send API as the vendor received it: its parsed JSON body and the errcode it answered (0 = accepted). */
export type VendorRequest = { body: unknown; errcode: number };

export type ContractFixture = {
  /** Built through `createAdapter` (adapters/registry.ts) with a config pointing at the vendor fake. */
  adapter: ChannelAdapter;
  /** The tenant every parsed event must carry. */
  corpId: string;
  webhook: WebhookFixture;
  inbound: {
    /** A verified plaintext of one sample event (what `verifyWebhook` returns for `webhook.signed()`). */
    sample: string;
    /** Channel-specific unreadable payloads, beside the contract's own garbage. */
    garbage?: string[];
  };
  outbound: {
    /** A text to a recipient the vendor accepts. */
    message: OutboundMessage;
    /** The exact JSON body the vendor must receive for `message`. */
    expectedBody: unknown;
    /**
     * A message the vendor refuses for good, with the errcode and kind the failure must keep. `vendorAttempts`
     * (default 1) is 0 when the adapter learns of the refusal without a send call (a wechaty contact it cannot find).
     */
    refused: { message: OutboundMessage; errcode: number | null; kind: ChannelErrorKind; vendorAttempts?: 0 | 1 };
    /** Recipient lists of a shape the channel cannot carry (the contract always adds `[]`). */
    invalidRecipients: Recipient[][];
  };
  vendor: {
    /** Calls to the send API since the last `clear()`, oldest first. */
    sends(): VendorRequest[];
    /** The body of the last request the vendor received, any API. */
    lastRequestBody(): unknown;
    /** Forgets the recorded requests. */
    clear(): void;
    /** Token-based vendors: expire every issued token; count token fetches since the last `clear()`. */
    tokens?: { expire(): void; fetches(): number };
    /** Makes the next `count` send calls answer `errcode`, which the client waits out (backoff made instant). */
    rateLimit?: { errcode: number; inject(count: number): void };
  };
  /** The same account with a wrong secret, and the errcode the vendor answers its token request with. */
  credentials?: { wrongSecret(): ChannelAdapter; errcode: number };
  teardown(): Promise<void>;
};

/** Requests no vendor signs: verifyWebhook must refuse them without throwing. */
const GARBAGE_REQUESTS: WebhookRequest[] = [
  { method: 'POST', query: {}, headers: {}, rawBody: Buffer.alloc(0) },
  { method: 'POST', query: { msg_signature: 'x', signature: 'x', timestamp: '1', nonce: '1', encrypt_type: 'aes' }, headers: {}, rawBody: Buffer.from('\u0000<xml>') },
  { method: 'POST', query: { msg_signature: 'x', signature: 'x', timestamp: '1', nonce: '1' }, headers: {}, rawBody: Buffer.from('<xml><Encrypt>AAAA</Encrypt></xml>') },
  { method: 'GET', query: { msg_signature: ['x', 'y'], signature: 'x', timestamp: '1', nonce: '1', echostr: 'AAAA' }, headers: {}, rawBody: Buffer.alloc(0) },
];

const GARBAGE_PAYLOADS = ['', 'garbage', '{"unexpected":true}', '<xml><MsgType>'];

function expectRefused(result: VerifiedWebhook, status: 400 | 401 | readonly (400 | 401)[], what: string): void {
  expect(result.ok, `${what}: ${JSON.stringify(result)}`).to.equal(false);
  if (result.ok) return;
  expect(result.status, `${what}: ${result.reason}`).to.be.oneOf(Array.isArray(status) ? status : [status]);
  expect(result.reason, what).to.be.a('string').and.not.equal('');
}

/** A verified request reports when it was signed, and the same replay key each time the same request is verified. */
function expectDelivery(result: VerifiedWebhook, again: VerifiedWebhook): void {
  if (!result.ok || !again.ok) throw new Error(`not verified: ${JSON.stringify(result)}`);
  expect(result.delivery.signedAt).to.be.instanceOf(Date);
  expect(Number.isNaN(result.delivery.signedAt.getTime())).to.equal(false);
  expect(result.delivery.replayKey).to.be.a('string').and.not.equal('');
  expect(result.delivery.signsPayload).to.be.a('boolean');
  expect(again.delivery).to.deep.equal(result.delivery);
}

function expectFailure(result: SendResult): ChannelError {
  expect(result.ok, JSON.stringify(result)).to.equal(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error).to.be.instanceOf(ChannelError);
  return result.error;
}

/** Defines the contract for one adapter; `setup` runs before every case. */
export function channelAdapterContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`${name}: ChannelAdapter contract`, () => {
    let f: ContractFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(async () => f.teardown());

    describe('buildTouchSend', () => {
      it('builds a message for every SOP step channel the registry has its kind carry, under the touch key', () => {
        const served = CHANNELS.filter((c) => touchChannelOf(c)?.kind === f.adapter.kind);
        if (served.length) expect(f.adapter.buildTouchSend, 'a kind that carries step channels builds their sends').to.be.a('function');
        const everyId = { staffUserId: 'u1', externalUserId: 'wm1', kfId: 'wmkf1', openKfId: 'wk1', openid: { appId: 'wx1', openid: 'o1' }, chatId: 'wr1' };
        for (const channel of served) {
          const built = f.adapter.buildTouchSend!({ channel, clientId: `key-${channel}`, text: '你好', subjects: [everyId] });
          expect(built?.msg, channel).to.deep.include({ clientId: `key-${channel}`, text: '你好' });
          expect(built!.recipientIds, channel).to.have.length(1);
        }
      });
    });

    describe('verifyWebhook', () => {
      it('accepts the vendor-signed push and returns its plaintext (push channels: refuses with 400)', () => {
        if (f.webhook.delivery === 'push') {
          const body = { method: 'POST', query: {}, headers: {}, rawBody: Buffer.from(f.inbound.sample) };
          expectRefused(f.adapter.verifyWebhook(body), 400, 'a push channel has no webhook');
          return;
        }
        const signed = f.webhook.signed();
        const verified = f.adapter.verifyWebhook(signed);
        expect(verified).to.deep.include({ ok: true, plaintext: f.inbound.sample });
        expectDelivery(verified, f.adapter.verifyWebhook(signed));
      });

      it('answers the URL verification with the echo', function () {
        if (f.webhook.delivery === 'push') return this.skip();
        const { request, echo } = f.webhook.urlVerification();
        const verified = f.adapter.verifyWebhook(request);
        expect(verified).to.deep.include({ ok: true, echo });
        expectDelivery(verified, f.adapter.verifyWebhook(request));
      });

      it('refuses a tampered signature with 401', function () {
        if (f.webhook.delivery === 'push') return this.skip();
        const tampered = f.webhook.tampered();
        expect(tampered).to.not.be.empty;
        tampered.forEach((req, i) => expectRefused(f.adapter.verifyWebhook(req), 401, `tampered #${i}`));
      });

      it('refuses a signed but malformed payload with 400', function () {
        if (f.webhook.delivery === 'push') return this.skip();
        const malformed = f.webhook.malformed();
        expect(malformed).to.not.be.empty;
        malformed.forEach((req, i) => expectRefused(f.adapter.verifyWebhook(req), 400, `malformed #${i}`));
      });

      it('refuses unsigned garbage without throwing', () => {
        const allowed = f.webhook.delivery === 'push' ? 400 : ([400, 401] as const);
        GARBAGE_REQUESTS.forEach((req, i) => expectRefused(f.adapter.verifyWebhook(req), allowed, `garbage #${i}`));
      });
    });

    describe('parseInbound', () => {
      it('turns the sample into events carrying the tenant, the channel and an idempotency key', () => {
        const events = f.adapter.parseInbound(f.inbound.sample);
        expect(events).to.not.be.empty;
        for (const event of events) {
          expect(event.corpId).to.equal(f.corpId);
          expect(event.channel).to.equal(f.adapter.kind);
          expect(event.idempotencyKey).to.be.a('string').and.not.equal('');
          expect(event.occurredAt).to.be.instanceOf(Date);
          expect(Number.isNaN(event.occurredAt.getTime())).to.equal(false);
        }
      });

      it('derives the same idempotency keys from a second parse', () => {
        const keys = () => f.adapter.parseInbound(f.inbound.sample).map((e) => e.idempotencyKey);
        expect(keys()).to.deep.equal(keys());
      });

      it('throws ParseError for a payload it cannot read', () => {
        for (const garbage of [...GARBAGE_PAYLOADS, ...(f.inbound.garbage ?? [])]) {
          expect(() => f.adapter.parseInbound(garbage), JSON.stringify(garbage)).to.throw(ParseError);
        }
      });
    });

    describe('send', () => {
      it('resolves { ok: true } and the vendor receives the exact body once', async () => {
        f.vendor.clear();
        const result = await f.adapter.send(f.outbound.message);
        expect(result.ok, JSON.stringify(result)).to.equal(true);
        expect(f.vendor.sends()).to.have.length(1);
        expect(f.vendor.lastRequestBody()).to.deep.equal(f.outbound.expectedBody);
      });

      it('refreshes an expired token once and delivers once', async function () {
        const { tokens } = f.vendor;
        if (!tokens) return this.skip();
        expect((await f.adapter.checkCredentials()).ok, 'a token is cached first').to.equal(true);
        tokens.expire();
        f.vendor.clear();
        const result = await f.adapter.send(f.outbound.message);
        expect(result.ok, JSON.stringify(result)).to.equal(true);
        const sends = f.vendor.sends();
        expect(sends.filter((s) => s.errcode === 0), 'delivered once').to.have.length(1);
        expect(sends, 'the refused attempt, then the delivery').to.have.length(2);
        expect(sends[1]!.body).to.deep.equal(f.outbound.expectedBody);
        expect(tokens.fetches(), 'one token refresh').to.equal(1);
      });

      it('waits out a rate limit and delivers once', async function () {
        const { rateLimit } = f.vendor;
        if (!rateLimit) return this.skip();
        f.vendor.clear();
        rateLimit.inject(2);
        const result = await f.adapter.send(f.outbound.message);
        expect(result.ok, JSON.stringify(result)).to.equal(true);
        expect(f.vendor.sends().map((s) => s.errcode)).to.deep.equal([rateLimit.errcode, rateLimit.errcode, 0]);
        expect(f.vendor.lastRequestBody()).to.deep.equal(f.outbound.expectedBody);
      });

      it('resolves { ok: false } with the vendor errcode when the vendor refuses, without retrying', async () => {
        f.vendor.clear();
        const { message, errcode, kind } = f.outbound.refused;
        const error = expectFailure(await f.adapter.send(message));
        expect(error.errcode).to.equal(errcode);
        expect(error.kind).to.equal(kind);
        expect(error.retryable).to.equal(false);
        expect(JSON.parse(JSON.stringify(error))).to.include({ errcode, kind });
        expect(f.vendor.sends(), 'no retry').to.have.length(f.outbound.refused.vendorAttempts ?? 1);
      });

      it('resolves { ok: false, kind: invalid } for recipients the channel cannot carry, without calling the vendor', async () => {
        f.vendor.clear();
        for (const to of [[], ...f.outbound.invalidRecipients]) {
          const error = expectFailure(await f.adapter.send({ ...f.outbound.message, to }));
          expect(error.kind, JSON.stringify(to)).to.equal('invalid');
        }
        expect(f.vendor.sends()).to.deep.equal([]);
      });
    });

    describe('checkCredentials', () => {
      it('is ok with good credentials', async () => {
        expect(await f.adapter.checkCredentials()).to.include({ ok: true });
      });

      it('reports the vendor errcode for a wrong secret', async function () {
        if (!f.credentials) return this.skip();
        const check = await f.credentials.wrongSecret().checkCredentials();
        expect(check).to.include({ ok: false, errcode: f.credentials.errcode });
      });
    });
  });
}
