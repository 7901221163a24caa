import { once } from 'node:events';
import type { Server } from 'node:http';
import { expect } from 'chai';
import pino from 'pino';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { sortedSha1 } from '../../adapters/wecom/crypto/wx-biz-msg-crypt.ts';
import { deliverCallback, verifyUrl } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { createApp } from '../../server/app.ts';
import type { ChannelAccount } from '../../server/channels/channel-account.repository.ts';
import { loadConfig } from '../../server/config.ts';
import { buildModules, type Modules } from '../../server/modules.ts';
import { fixedClock, type Clock } from '../../server/shared/clock.ts';
import { createMetrics } from '../../server/system/metrics.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, OA_APP_ID, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { ADMIN_TOKEN, TEST_KEYS } from '../support/test-app.ts';

const HOUR = 3600;
const seconds = (clock: Clock, offset = 0) => String(Math.floor(clock.now().getTime() / 1000) + offset);
let nonces = 0;
const nonce = () => `fresh${process.pid}x${++nonces}`;

describe('callbacks: forged, stale and replayed requests are refused (issue #13)', () => {
  const t = useTestDatabase('callback_freshness');
  let h: ChannelHarness;
  /** A second official account in plain mode (no EncodingAESKey): its signature covers the query only. */
  let plainOa: ChannelAccount;
  const rawCount = () => t.db.models.InboundRaw.countDocuments({});
  const wecomTarget = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0, clock: h.services.clock });
  const oaText = (openid: string, content: string, msgId: string) =>
    `<xml><ToUserName><![CDATA[gh_simoa]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${seconds(h.services.clock)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
  const oaSubscribe = (openid: string) =>
    `<xml><ToUserName><![CDATA[gh_simoa]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${seconds(h.services.clock)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
  const oaUrl = (path: string, q: Record<string, string>) => `${h.baseUrl}${path}?${new URLSearchParams(q).toString()}`;
  const post = (url: string, body: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  /** A safe-mode push signed the genuine way: the URL Tencent would send (with its `signature`) and the sealed body. */
  const safePush = (xml: string, openid: string, timestamp = seconds(h.services.clock), n = nonce()) => {
    const sealed = sealEvent({ token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, receiveId: OA_APP_ID, message: xml, toUserName: 'gh_simoa', timestamp, nonce: n });
    const params = { signature: sortedSha1([CALLBACK_TOKEN, timestamp, n]), timestamp, nonce: n, openid };
    return { params, sealed, url: oaUrl('/callbacks/official-account', { ...params, encrypt_type: 'aes', msg_signature: sealed.msgSignature }) };
  };
  const plainPush = (timestamp = seconds(h.services.clock), n = nonce()) =>
    oaUrl(`/callbacks/official-account/${plainOa.id}`, { signature: sortedSha1([CALLBACK_TOKEN, timestamp, n]), timestamp, nonce: n, openid: 'oPlainMode' });
  const contactByOpenid = (openid: string) => t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `openid:${OA_APP_ID}:${openid}` }).lean();

  before(async () => {
    h = await startChannelHarness(t.db);
    plainOa = await h.services.channelAccounts.create({
      corpId: SIM_CORP_ID,
      kind: 'official_account',
      name: '明文模式公众号',
      config: { appId: OA_APP_ID, appSecret: h.oaSim.secret, token: CALLBACK_TOKEN, apiBase: h.oaSim.baseUrl },
    });
  });
  after(async () => h.stop());

  describe('official account in safe mode (EncodingAESKey configured)', () => {
    it('refuses a forged plaintext push sent with a genuine push URL’s signature, timestamp and nonce; nothing stored, the follower stays subscribed', async () => {
      h.oaSim.control.addFollower({ openid: 'oForged' });
      const genuine = safePush(oaSubscribe('oForged'), 'oForged');
      const res = await post(genuine.url, genuine.sealed.body);
      expect(res.status).to.equal(200);
      await h.processor.drain();
      const contact = await contactByOpenid('oForged');
      expect(contact!.consent!.optedOut).to.equal(false);

      const before = await rawCount();
      const forged = oaText('oForged', '退订', '7000000000000000001');
      for (const extra of [{}, { encrypt_type: 'raw' }] as Record<string, string>[]) {
        const r = await post(oaUrl('/callbacks/official-account', { ...genuine.params, ...extra }), forged);
        expect(r.status, JSON.stringify(extra)).to.equal(401);
        const body = (await r.json()) as { error: { code: string; message: string } };
        expect(body.error.code).to.equal('unauthenticated');
        expect(body.error.message).to.match(/^该公众号为安全模式/);
      }
      // Nor with the safe-mode msg_signature of the genuine push: it covers the ciphertext, not this body.
      const withMsgSig = await post(oaUrl('/callbacks/official-account', { ...genuine.params, encrypt_type: 'aes', msg_signature: genuine.sealed.msgSignature }), forged);
      expect(withMsgSig.status).to.be.oneOf([400, 401]);
      expect(await rawCount()).to.equal(before);
      await h.processor.drain();
      const after = await t.db.models.Contact.findById(contact!._id).lean();
      expect(after!.consent!.optedOut).to.equal(false);
      expect(await t.db.models.Event.countDocuments({ corpId: SIM_CORP_ID, contactId: String(contact!._id), type: 'contact.opted_out' })).to.equal(0);
    });

    it('takes the encrypted part of a compatible-mode push and ignores the plaintext copy beside it', async () => {
      h.oaSim.control.addFollower({ openid: 'oCompat' });
      const sub = safePush(oaSubscribe('oCompat'), 'oCompat');
      expect((await post(sub.url, sub.sealed.body)).status).to.equal(200);
      const genuine = oaText('oCompat', '请问几点开门', '7000000000000000002');
      const push = safePush(genuine, 'oCompat');
      // Compatible mode: the plaintext fields and <Encrypt> in one body. Here the plaintext copy is a forgery.
      const forgedCopy = oaText('oCompat', '退订', '7000000000000000003').replace(/^<xml>|<\/xml>$/g, '');
      const encrypt = /<Encrypt>(?:<!\[CDATA\[)?([^<\]]+)/.exec(push.sealed.body)![1]!;
      const body = `<xml>${forgedCopy}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      const res = await post(push.url, body);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('success');
      const row = await t.db.models.InboundRaw.findOne({ plaintext: { $regex: '7000000000000000002' } }).lean();
      expect(row!.plaintext).to.equal(genuine);
      expect(await t.db.models.InboundRaw.countDocuments({ plaintext: { $regex: '7000000000000000003' } })).to.equal(0);
      await h.processor.drain();
      const contact = await contactByOpenid('oCompat');
      expect(contact!.consent!.optedOut).to.equal(false);
    });

    it('still accepts its URL verification, signed with `signature` only', async () => {
      const ts = seconds(h.services.clock);
      const n = nonce();
      const res = await fetch(oaUrl('/callbacks/official-account', { signature: sortedSha1([CALLBACK_TOKEN, ts, n]), timestamp: ts, nonce: n, echostr: 'echo-safe-1' }));
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('echo-safe-1');
    });
  });

  describe('freshness', () => {
    it('refuses a WeCom push signed 24 h ago (every retry too) and stores nothing', async () => {
      const before = await rawCount();
      const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: 'wmStale24h' });
      const res = await deliverCallback({ ...wecomTarget(), xml, timestamp: seconds(h.services.clock, -24 * HOUR) });
      expect(res.delivered).to.equal(false);
      expect(res.attempts.map((a) => a.status)).to.deep.equal([401, 401, 401]);
      const body = JSON.parse(res.attempts[0]!.body) as { error: { message: string } };
      expect(body.error.message).to.match(/^回调时间戳超出允许范围/);
      expect(await rawCount()).to.equal(before);
    });

    it('refuses an official-account push signed 48 h ago, in safe mode and in plain mode, and stores nothing', async () => {
      const before = await rawCount();
      const old = seconds(h.services.clock, -48 * HOUR);
      const safe = safePush(oaText('oForged', '退订', '7000000000000000004'), 'oForged', old);
      expect((await post(safe.url, safe.sealed.body)).status).to.equal(401);
      expect((await post(plainPush(old), oaText('oPlainMode', '退订', '7000000000000000005'))).status).to.equal(401);
      expect(await rawCount()).to.equal(before);
    });

    it('refuses stale and far-future URL verifications on both routes', async () => {
      for (const offset of [-24 * HOUR, 10 * 60]) {
        const stale = await verifyUrl({ ...wecomTarget(), timestamp: seconds(h.services.clock, offset) });
        expect(stale.status, `wecom ${offset}`).to.equal(401);
        const ts = seconds(h.services.clock, offset);
        const oa = await fetch(oaUrl('/callbacks/official-account', { signature: sortedSha1([CALLBACK_TOKEN, ts, 'n1']), timestamp: ts, nonce: 'n1', echostr: 'e1' }));
        expect(oa.status, `oa ${offset}`).to.equal(401);
      }
      expect((await verifyUrl({ ...wecomTarget(), timestamp: seconds(h.services.clock, -4 * 60) })).ok, 'four minutes is inside the window').to.equal(true);
    });

    it('takes "now" from the injected clock: a server pinned in the past accepts pushes signed by that clock and refuses real time', async () => {
      const pinned = fixedClock('2026-11-22T02:00:00Z');
      const other = await listen(servicesWith(t.db, pinned));
      try {
        const xml = (id: string) => externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: id });
        const target = { ...wecomTarget(), url: `${other.baseUrl}/callbacks/wecom` };
        expect((await deliverCallback({ ...target, clock: pinned, xml: xml('wmPinned1') })).delivered).to.equal(true);
        expect((await deliverCallback({ ...target, clock: undefined, attempts: 1, xml: xml('wmPinned2') })).attempts[0]!.status).to.equal(401);
      } finally {
        await other.close();
      }
    });

    it('reads the window from CALLBACK_MAX_SKEW_SECONDS (default 300)', async () => {
      expect(loadConfig({}).channels.callbackMaxSkewSeconds).to.equal(300);
      expect(loadConfig({ CALLBACK_MAX_SKEW_SECONDS: '60' }).channels.callbackMaxSkewSeconds).to.equal(60);
      expect(() => loadConfig({ CALLBACK_MAX_SKEW_SECONDS: '-5' })).to.throw(/CALLBACK_MAX_SKEW_SECONDS/);
      const narrow = await listen(servicesWith(t.db, h.services.clock, { CALLBACK_MAX_SKEW_SECONDS: '60' }));
      try {
        const target = { ...wecomTarget(), url: `${narrow.baseUrl}/callbacks/wecom`, attempts: 1 };
        const xml = (id: string) => externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: id });
        expect((await deliverCallback({ ...target, xml: xml('wmNarrow1'), timestamp: seconds(h.services.clock, -90) })).attempts[0]!.status).to.equal(401);
        expect((await deliverCallback({ ...target, xml: xml('wmNarrow2'), timestamp: seconds(h.services.clock, -30) })).attempts[0]!.status).to.equal(200);
        // The default window takes the 90-second-old one.
        expect((await deliverCallback({ ...wecomTarget(), attempts: 1, xml: xml('wmNarrow1'), timestamp: seconds(h.services.clock, -90) })).attempts[0]!.status).to.equal(200);
      } finally {
        await narrow.close();
      }
    });
  });

  describe('replay', () => {
    it('plain mode: answers a retry (same parameters, same body) with success and stores it once; refuses the parameters with another body', async () => {
      h.oaSim.control.addFollower({ openid: 'oPlainMode' });
      const url = plainPush();
      const genuine = oaText('oPlainMode', '你好', '7000000000000000010');
      const before = await rawCount();
      for (let i = 0; i < 3; i++) {
        const res = await post(url, genuine);
        expect(res.status, `attempt ${i + 1}`).to.equal(200);
        expect(await res.text()).to.equal('success');
      }
      expect((await rawCount()) - before).to.equal(1);

      const replay = await post(url, oaText('oPlainMode', '退订', '7000000000000000011'));
      expect(replay.status).to.equal(401);
      expect(((await replay.json()) as { error: { message: string } }).error.message).to.match(/^回调签名参数已被使用过/);
      expect((await rawCount()) - before).to.equal(1);
    });

    it('plain mode: the parameters are remembered in MongoDB, so another worker (or a restarted server) refuses the replay too', async () => {
      const url = plainPush();
      const first = oaText('oPlainMode', '第一条', '7000000000000000020');
      expect((await post(url, first)).status).to.equal(200);
      const before = await rawCount();
      const other = await listen(servicesWith(t.db, h.services.clock));
      try {
        const otherUrl = url.replace(h.baseUrl, other.baseUrl);
        expect((await post(otherUrl, oaText('oPlainMode', '退订', '7000000000000000021'))).status).to.equal(401);
        expect((await post(otherUrl, first)).status, 'a retry on another worker').to.equal(200);
      } finally {
        await other.close();
      }
      expect(await rawCount()).to.equal(before);
    });

    it('official-account URL verification: a captured URL cannot echo another echostr', async () => {
      const ts = seconds(h.services.clock);
      const n = nonce();
      const q = { signature: sortedSha1([CALLBACK_TOKEN, ts, n]), timestamp: ts, nonce: n };
      const first = await fetch(oaUrl('/callbacks/official-account', { ...q, echostr: 'first-echo' }));
      expect(await first.text()).to.equal('first-echo');
      expect((await fetch(oaUrl('/callbacks/official-account', { ...q, echostr: 'first-echo' }))).status, 'the same request again').to.equal(200);
      expect((await fetch(oaUrl('/callbacks/official-account', { ...q, echostr: 'attacker-text' }))).status).to.equal(401);
    });

    it('WeCom: a captured URL with another body is refused, an identical retry is answered success and stored once', async () => {
      const before = await rawCount();
      const fixed = { timestamp: seconds(h.services.clock), nonce: nonce() };
      const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: 'wmReplayed' });
      const first = await deliverCallback({ ...wecomTarget(), ...fixed, xml, random: Buffer.alloc(16, 3) });
      expect(first.delivered).to.equal(true);
      const query = `msg_signature=${first.sealed.msgSignature}&timestamp=${fixed.timestamp}&nonce=${fixed.nonce}`;
      const retry = await post(`${h.baseUrl}/callbacks/wecom?${query}`, first.sealed.body);
      expect(retry.status).to.equal(200);
      expect(await retry.text()).to.equal('success');
      const other = sealEvent({ token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, receiveId: SIM_CORP_ID, message: xml.replace('wmReplayed', 'wmInjected'), toUserName: SIM_CORP_ID, ...fixed });
      expect((await post(`${h.baseUrl}/callbacks/wecom?${query}`, other.body)).status).to.equal(401);
      expect((await rawCount()) - before).to.equal(1);
    });
  });
});

function servicesWith(db: ReturnType<typeof useTestDatabase>['db'], clock: Clock, env: Record<string, string> = {}): Modules {
  const config = loadConfig({ SIYU_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env });
  return buildModules({ config, db, clock, logger: pino({ level: 'silent' }), metrics: createMetrics(), keys: TEST_KEYS });
}

async function listen(services: Modules): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createApp(services).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
