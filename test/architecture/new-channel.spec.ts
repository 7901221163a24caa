/**
 * The proof that a channel is an adapter plus a registry entry: a channel kind the core has never heard of is
 * registered through `registerChannel` (its adapter lives in this file), gets an account, has a signed callback
 * verified, recorded and processed into the contact store, and carries an SOP touch — with no change to the
 * core. The fake is a second WeCom provider (a hosted WeCom API), so its customers are WeCom external users and
 * its events are the ones the core already understands. What a real channel changes besides its folder and the
 * registry is listed in docs/ARCHITECTURE.md ("Adding a channel").
 */
import { expect } from 'chai';
import { createHmac, timingSafeEqual } from 'node:crypto';
import pino from 'pino';
import { z } from 'zod';
import type { ChannelAdapter, ChannelKind, InboundEvent, OutboundMessage, SendResult, TouchMessage, TouchSend, VerifiedWebhook, WebhookRequest } from '../../adapters/channel-adapter.ts';
import { accountConfigIssues, createAdapter, registerChannel, touchChannelOf } from '../../adapters/registry.ts';
import { CHANNELS } from '../../server/sop/definition/step.schema.ts';
import { TouchDispatcher } from '../../server/sop/runtime/dispatcher.ts';
import { SopRegistry } from '../../server/sop/runtime/sop-registry.ts';
import { placeholderRenderer } from '../../server/sop/runtime/touch-renderer.ts';
import { useTestDatabase } from '../support/database.ts';
import { seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

// A real channel adds its kind to ChannelKind (adapters/channel-events.ts); a test cannot, hence the cast.
const FAKE = 'fake_hosted_wecom' as ChannelKind;
const configSchema = z.strictObject({ secret: z.string().min(8) });
type FakeConfig = z.infer<typeof configSchema>;
/** What the fake vendor received, across every adapter built for it. */
const outbox: OutboundMessage[] = [];

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** The vendor's push: a customer followed a staff member. */
type FakePush = { type: 'follow'; customer: string; staff: string; at: number };

class FakeAdapter implements ChannelAdapter {
  readonly kind = FAKE;
  constructor(
    private readonly config: FakeConfig,
    private readonly corpId: string,
  ) {}

  verifyWebhook(req: WebhookRequest): VerifiedWebhook {
    const given = Buffer.from(String(req.headers['x-fake-signature'] ?? ''), 'hex');
    const expected = Buffer.from(sign(this.config.secret, req.rawBody.toString('utf8')), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 401, reason: '回调签名不匹配 Signature mismatch' };
    const push = JSON.parse(req.rawBody.toString('utf8')) as FakePush;
    return { ok: true, plaintext: req.rawBody.toString('utf8'), delivery: { signedAt: new Date(push.at * 1000), replayKey: given.toString('hex'), signsPayload: true } };
  }

  parseInbound(plaintext: string): InboundEvent[] {
    const push = JSON.parse(plaintext) as FakePush;
    const event = {
      kind: 'friend_added',
      channel: FAKE,
      corpId: this.corpId,
      idempotencyKey: `fake:${push.staff}:${push.customer}:${push.at}`,
      occurredAt: new Date(push.at * 1000),
      staffUserId: push.staff,
      externalUserId: push.customer,
      state: null,
      welcomeCode: null,
      half: false,
    };
    // friend_added is typed as a WeCom event; a real channel reusing it widens that type in channel-events.ts.
    return [event as unknown as InboundEvent];
  }

  buildTouchSend({ clientId, text, subjects }: TouchSend): TouchMessage | null {
    const recipientIds = subjects.map((s) => s.externalUserId);
    const to = recipientIds.find((id): id is string => !!id);
    return to ? { msg: { clientId, to: [{ type: 'contact', id: to }], text }, recipientIds } : null;
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    outbox.push(msg);
    return { ok: true, vendorId: `fake-${outbox.length}` };
  }

  async checkCredentials() {
    return { ok: true };
  }
}

describe('a new channel needs only its adapter and a registry entry', () => {
  const t = useTestDatabase('new_channel');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let unregister: () => void;

  before(async () => {
    unregister = registerChannel(FAKE, { schema: configSchema, touchChannels: { fake_dm: {} }, build: (config, account) => new FakeAdapter(config, account.corpId) });
    services = testServices(t.db, { now: '2026-11-23T02:00:00Z' }); // 10:00 in Shanghai
    org = await seedTestOrg(services);
  });
  after(() => unregister());

  it('has a registered kind carry every SOP step channel', () => {
    expect(CHANNELS.filter((c) => !touchChannelOf(c))).to.deep.equal([]);
  });

  it('validates the account config with the adapter’s schema and refuses a second registration of the kind or its step channel', () => {
    expect(accountConfigIssues(FAKE, { secret: 'short' }).map((i) => i.path)).to.deep.equal(['secret']);
    expect(createAdapter({ id: 'x', corpId: org.corpId, kind: FAKE, config: { secret: 'long-enough' } })).to.be.instanceOf(FakeAdapter);
    expect(touchChannelOf('fake_dm')).to.deep.equal({ kind: FAKE });
    expect(() => registerChannel(FAKE, { schema: configSchema, build: (c, a) => new FakeAdapter(c, a.corpId) })).to.throw(/already registered/);
    expect(() => registerChannel('other' as ChannelKind, { schema: configSchema, touchChannels: { wecom_1to1: {} }, build: (c, a) => new FakeAdapter(c, a.corpId) })).to.throw(/served by wecom/);
  });

  it('receives a signed callback into the contact store and carries an SOP touch to the customer', async () => {
    const account = await services.channelAccounts.create({ corpId: org.corpId, kind: FAKE, name: '托管企微', config: { secret: 'hosted-secret' } });
    const adapter = services.adapterFor(account);

    // Callback: verify, record, process (what the callback route and the inbound processor do for every channel).
    const body = JSON.stringify({ type: 'follow', customer: 'wm-fake-1', staff: 'a2', at: services.clock.now().getTime() / 1000 });
    const request = (signature: string): WebhookRequest => ({ method: 'POST', query: {}, headers: { 'x-fake-signature': signature }, rawBody: Buffer.from(body) });
    expect(adapter.verifyWebhook(request(sign('wrong-secret', body)))).to.include({ ok: false, status: 401 });
    const verified = adapter.verifyWebhook(request(sign('hosted-secret', body)));
    if (!verified.ok || !('plaintext' in verified)) throw new Error('the signed push should verify');
    expect((await services.inbox.record(account, verified.plaintext, adapter)).duplicate).to.equal(false);
    expect(await services.channels.processor(pino({ level: 'silent' })).drain()).to.equal(1);

    const contact = await services.contactChannels.findByIdentity(org.corpId, 'wecom:wm-fake-1');
    expect(contact, 'the customer is in the contact store').to.not.equal(null);
    const logged = await t.db.models.Event.findOne({ corpId: org.corpId, contactId: contact!.id }).lean();
    expect(logged).to.deep.include({ channel: FAKE, type: 'friend_added' });

    // Touch: an enabled SOP's touch on the channel's step channel goes out through the fake adapter.
    const registry = new SopRegistry(services);
    const sop = await registry.publish(org.corpId, { id: 'hosted', name: '托管欢迎', trigger: { type: 'event', event: 'friend_added' }, steps: [{ id: 'hello', type: 'send', channel: 'wecom_1to1', template: 'tpl-hosted' }] }, 'api');
    await registry.setStatus(org.corpId, sop.sopId, 'enabled');
    // The SOP definition's channel list is core (step.schema.ts): a real channel adds `fake_dm` there; here the row says it.
    await t.db.models.Touch.create({
      corpId: org.corpId, key: `hosted:${contact!.id}:1:hello`, sopId: sop.sopId, sopVersion: sop.version, enrollmentId: 'e1', contactId: contact!.id,
      stepId: 'hello', channel: 'fake_dm', templateId: 'tpl-hosted', priority: 50, tz: 'Asia/Shanghai', dueAt: services.clock.now(), localDay: '2026-11-23',
    });
    expect(await new TouchDispatcher(services, 'worker', placeholderRenderer).drain()).to.equal(1);
    expect(outbox).to.have.length(1);
    expect(outbox[0]).to.deep.include({ clientId: `hosted:${contact!.id}:1:hello`, to: [{ type: 'contact', id: 'wm-fake-1' }] });
    const touch = await t.db.models.Touch.findOne({ corpId: org.corpId, key: `hosted:${contact!.id}:1:hello` }).lean();
    expect(touch).to.deep.include({ status: 'sent', vendorId: 'fake-1' });
  });
});
