/**
 * A WeCom API outage loses nothing: an add is stored at once from what the callback says (contact, follow with
 * its state, the friend_added event, the welcome message) and its detail arrives with the detail sweep once the
 * API answers; an inbox row that failed for a transient cause is put back by the inbox sweep and applied, while
 * a permanent failure stays failed. The outage is a proxy in front of the simulator that answers 502 (or
 * nothing) for the APIs it is told to break.
 */
import { expect } from 'chai';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import pino from 'pino';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalChatEvent, externalContactEvent, kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { buildXml } from '../../adapters/shared/xml.ts';
import { SIM_CORP_ID, SIM_SECRET } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { signature } from '../../adapters/wecom/crypto/wx-biz-msg-crypt.ts';
import { wireJobs } from '../../jobs/job-wiring.ts';
import { MAX_ATTEMPTS } from '../../server/channels/inbound-inbox.repository.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, OA_APP_ID, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

type Mode = 'up' | 'down' | 'hang' | 'slow';

/** Forwards to the simulator; an API listed in `broken` answers 502 (`down`), never (`hang`) or after 2.5 s (`slow`). */
async function startOutageProxy(target: string) {
  const broken = new Map<string, Mode>();
  let all: Mode = 'up';
  const hung = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const api = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/cgi-bin\//, '');
    const mode = broken.get(api) ?? all;
    if (mode === 'hang') return void hung.add(res);
    if (mode === 'down') return void res.writeHead(502).end('Bad Gateway');
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 2_500));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const r = await fetch(`${target}${req.url}`, { method: req.method, ...(body.length ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    break: (api: string, mode: Mode) => broken.set(api, mode),
    breakAll: (mode: Mode) => (all = mode),
    heal() {
      broken.clear();
      all = 'up';
      for (const res of hung) res.destroy();
      hung.clear();
    },
    async stop() {
      this.heal();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a WeCom API outage loses no customer and no recorded event', function () {
  this.timeout(60_000);
  const t = useTestDatabase('vendor_outage');
  let h: ChannelHarness;
  let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  // The jobs as the scheduler runs them: the catalog's handlers bound to their deps by jobs/job-wiring.ts.
  const jobs = () => wireJobs(h.services, { logger: pino({ level: 'silent' }), processId: 'test', roles: ['scheduler'], staffPageUrl: 'http://127.0.0.1/m' });
  const nowS = () => Math.floor(Date.now() / 1000);
  const owedCount = async () => Number(/siyu_details_owed_total\{kind="contact"\} (\d+)/.exec(await h.services.metrics.text())?.[1] ?? 0);

  before(async () => {
    h = await startChannelHarness(t.db);
    proxy = await startOutageProxy(h.sim.baseUrl);
    h.wecom = await h.services.channelAccounts.upsertDefault({
      corpId: SIM_CORP_ID,
      kind: 'wecom',
      name: '测试企业微信',
      config: { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, apiBase: proxy.baseUrl },
    });
  });
  afterEach(() => proxy.heal());
  after(async () => {
    await proxy.stop();
    await h.stop();
  });

  // First, before any test pauses the account's inline lookups (a slow answer within the budget pauses nothing).
  it('applies the messages recorded behind 40 group changes at once while groupchat/get takes 2.5 s: rows paced by a vendor API have lanes of their own', async () => {
    proxy.break('externalcontact/groupchat/get', 'slow');
    for (let i = 0; i < 40; i++) {
      const xml = externalChatEvent({ corpId: SIM_CORP_ID, chatId: `wrlane${i}`, changeType: 'update', updateDetail: 'add_member', joinScene: 3, memChangeList: [`wmlane${i}`], createTime: nowS() });
      await deliverCallback({ ...target(), xml });
    }
    for (let i = 0; i < 5; i++) {
      const xml = buildXml({ ToUserName: SIM_CORP_ID, FromUserName: 'a1', CreateTime: nowS(), MsgType: 'text', Content: `lane-test ${i}`, MsgId: String(7e12 + i), AgentID: 1000002 });
      await deliverCallback({ ...target(), xml });
    }
    const inbox = t.db.models.InboundRaw;
    const started = Date.now();
    const drained = h.processor.drain();
    // With one set of lanes for all rows, the first 32 group changes held every lane while WeCom took its time.
    let messagesDone = 0;
    while (Date.now() - started < 2_000 && messagesDone < 5) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      messagesDone = await inbox.countDocuments({ plaintext: /lane-test/, status: 'processed' });
    }
    expect(messagesDone, 'messages applied within 2 s').to.equal(5);
    expect(await inbox.countDocuments({ plaintext: /wrlane/, status: 'processing' }), 'group changes still waiting on WeCom').to.be.greaterThan(0);
    expect(await drained).to.equal(45);
    expect(await inbox.countDocuments({ plaintext: /wrlane|lane-test/, status: 'processed' })).to.equal(45);
  });

  it('does not ask a hanging externalcontact/get when the welcome code has too little time left: the welcome goes out in time', async () => {
    const corp = { corpId: SIM_CORP_ID, storeIds: null };
    await h.services.content.importPublished(corp, [{ templateId: 'tpl-late', name: 'w', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: '欢迎！', attachments: [] }], 'test');
    const code = await h.services.liveCodes.service.create(corp, { name: '迟到活码', channel: 'poster', staffIds: [h.org.staff.a1], welcomeTemplateId: 'tpl-late' }, 'test');
    const scan = h.sim.control.scanContactWay(code.configId, { name: '迟到' });
    proxy.break('externalcontact/get', 'hang');
    // The add happened 16 s ago: 3 s left before the deadline (20 s less 1 s for the call), less than the budget.
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: scan.userid, externalUserId: scan.external_userid, state: scan.state!, welcomeCode: scan.welcomeCode, createTime: nowS() - 16 });
    await deliverCallback({ ...target(), xml });
    expect(await h.processor.drain()).to.equal(1);
    expect(await t.db.models.LiveCodeWelcome.findOne({ welcomeCode: scan.welcomeCode }).lean()).to.include({ status: 'sent' });
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: scan.external_userid }), 'the detail is owed instead').to.equal(1);
  });

  it('greets a customer whose add waited more than 4 s in the inbox at once, without their detail: the detail is owed, not awaited', async () => {
    const corp = { corpId: SIM_CORP_ID, storeIds: null };
    await h.services.content.importPublished(corp, [{ templateId: 'tpl-prompt', name: 'w', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: '{{contact.name|朋友}}，欢迎！', attachments: [] }], 'test');
    const code = await h.services.liveCodes.service.create(corp, { name: '排队活码', channel: 'poster', staffIds: [h.org.staff.a1], welcomeTemplateId: 'tpl-prompt' }, 'test');
    const scan = h.sim.control.scanContactWay(code.configId, { name: '排队' });
    h.sim.control.clearRequests();
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: scan.userid, externalUserId: scan.external_userid, state: scan.state!, welcomeCode: scan.welcomeCode, createTime: nowS() - 6 });
    await deliverCallback({ ...target(), xml });
    expect(await h.processor.drain()).to.equal(1);
    expect(await t.db.models.LiveCodeWelcome.findOne({ welcomeCode: scan.welcomeCode }).lean()).to.include({ status: 'sent' });
    expect(h.sim.control.requests('externalcontact/get'), 'not asked inline').to.have.length(0);
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: scan.external_userid }), 'owed to the sweep').to.equal(1);
  });

  it('a welcome-code add whose short budget runs out owes its detail but does not stop the next add from fetching its own', async () => {
    proxy.break('externalcontact/get', 'hang');
    const late = h.sim.control.addCustomer({ name: '晚到', follow_user: [{ userid: 'a1' }] });
    // 3 s after the add, at most 1 s is left of the 4 s a welcome waits for the customer's detail.
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: late.external_userid, welcomeCode: 'WC-late', createTime: nowS() - 3 });
    await deliverCallback({ ...target(), xml });
    expect(await h.processor.drain()).to.equal(1);
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: late.external_userid })).to.equal(1);
    proxy.heal();
    const next = h.sim.control.addCustomer({ name: '准时', follow_user: [{ userid: 'a1' }] });
    await deliverCallback({ ...target(), xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: next.external_userid, createTime: nowS() }) });
    expect(await h.processor.drain()).to.equal(1);
    expect((await t.db.models.Contact.findOne({ identityKeys: `wecom:${next.external_userid}` }).lean())!.name, 'fetched inline, not skipped').to.equal('准时');
  });

  it('a refusal about one customer (40003 invalid id) owes only that detail: the next add still gets its detail inline, and the sweep drops the refused one', async () => {
    const refused = h.sim.control.addCustomer({ name: '无效', follow_user: [{ userid: 'a1' }] });
    const next = h.sim.control.addCustomer({ name: '下一位', unionid: 'union-next', follow_user: [{ userid: 'a1' }] });
    h.sim.control.injectErrors('externalcontact/get', 40003, 1);
    for (const c of [refused, next]) await deliverCallback({ ...target(), xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: c.external_userid, createTime: nowS() }) });
    expect(await h.processor.drain()).to.equal(2);
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: refused.external_userid })).to.equal(1);
    const inline = await t.db.models.Contact.findOne({ identityKeys: `wecom:${next.external_userid}` }).lean();
    expect(inline!.name).to.equal('下一位');
    h.sim.control.injectErrors('externalcontact/get', 40003, 1);
    await t.db.models.DetailDue.updateMany({ vendorId: refused.external_userid }, { $set: { nextAttemptAt: new Date(Date.now() - 1000) } });
    await jobs().detailSweep({});
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: refused.external_userid }), 'dropped, not retried for ever').to.equal(0);
    expect(await t.db.models.Contact.countDocuments({ identityKeys: `wecom:${refused.external_userid}` }), 'the customer stays').to.equal(1);
  });

  it('does not hold an add longer than the budget when externalcontact/get never answers, and skips the API for the next one', async () => {
    proxy.break('externalcontact/get', 'hang');
    const a = h.sim.control.addCustomer({ name: '甲', follow_user: [{ userid: 'a1' }] });
    const b = h.sim.control.addCustomer({ name: '乙', follow_user: [{ userid: 'a1' }] });
    for (const c of [a, b]) await deliverCallback({ ...target(), xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: c.external_userid, state: 'hang-test', createTime: nowS() }) });
    const started = Date.now();
    expect(await h.processor.drain()).to.equal(2);
    expect(Date.now() - started, 'one budget (3 s), not one timeout per add').to.be.lessThan(6_000);
    for (const c of [a, b]) {
      const contact = await t.db.models.Contact.findOne({ identityKeys: `wecom:${c.external_userid}` }).lean();
      expect(await t.db.models.Follow.countDocuments({ contactId: String(contact!._id), state: 'hang-test' })).to.equal(1);
    }
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: { $in: [a.external_userid, b.external_userid] } })).to.equal(2);
  });

  it('stores the contact, the follow with its state, the friend_added event and sends the welcome while externalcontact/get answers 502; the detail sweep adds name and unionid once it answers', async () => {
    const corp = { corpId: SIM_CORP_ID, storeIds: null };
    await h.services.content.importPublished(corp, [{ templateId: 'tpl-outage', name: 'w', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: '{{contact.name|朋友}}，欢迎光临！', attachments: [] }], 'test');
    const code = await h.services.liveCodes.service.create(corp, { name: '断网活码', channel: 'poster', staffIds: [h.org.staff.a2], welcomeTemplateId: 'tpl-outage' }, 'test');
    const scan = h.sim.control.scanContactWay(code.configId, { name: '周女士', unionid: 'union-outage' });
    proxy.break('externalcontact/get', 'down');
    const owedBefore = await owedCount();

    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: scan.userid, externalUserId: scan.external_userid, state: scan.state!, welcomeCode: scan.welcomeCode, createTime: nowS() });
    expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    expect(await h.processor.drain()).to.equal(1);

    const raw = await t.db.models.InboundRaw.findOne({ plaintext: { $regex: scan.external_userid } }).lean();
    expect(raw, 'the row is applied, not retried').to.include({ status: 'processed', attempts: 1 });
    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${scan.external_userid}` }).lean();
    expect(contact, 'the customer exists at once').to.not.equal(null);
    expect(contact!.name).to.equal('');
    expect(contact!.lifecycle).to.equal('friend');
    const follow = await t.db.models.Follow.findOne({ corpId: SIM_CORP_ID, contactId: String(contact!._id), staffUserId: scan.userid }).lean();
    expect(follow).to.include({ state: scan.state, deletedAt: null });
    const added = await t.db.models.Event.findOne({ corpId: SIM_CORP_ID, type: 'friend_added', contactId: String(contact!._id) }).lean();
    expect(added!.payload, 'the SOP trigger reads the state from the event').to.deep.include({ state: scan.state });
    const welcome = await t.db.models.LiveCodeWelcome.findOne({ welcomeCode: scan.welcomeCode }).lean();
    expect(welcome, 'welcomed within the window').to.include({ status: 'sent' });
    expect(JSON.stringify(h.sim.state.welcomeSends.at(-1)!.body)).to.include('朋友，欢迎光临！');
    expect(await t.db.models.LiveCodeAdd.countDocuments({ liveCodeId: code.id, contactId: String(contact!._id) }), 'attributed to the live code').to.equal(1);
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: scan.external_userid })).to.equal(1);
    expect(await owedCount(), 'counted on /metrics').to.equal(owedBefore + 1);
    expect(await h.services.metrics.text()).to.match(/^siyu_details_owed [1-9]/m);

    // Still down: the sweep backs off and keeps the row.
    await t.db.models.DetailDue.updateMany({ vendorId: scan.external_userid }, { $set: { nextAttemptAt: new Date(Date.now() - 1000) } });
    await jobs().detailSweep({});
    const kept = await t.db.models.DetailDue.findOne({ vendorId: scan.external_userid }).lean();
    expect(kept).to.include({ attempts: 1 });
    expect(kept!.nextAttemptAt.getTime()).to.be.greaterThan(Date.now());

    // WeCom answers again; the row is due.
    proxy.heal();
    await t.db.models.DetailDue.updateMany({ vendorId: scan.external_userid }, { $set: { nextAttemptAt: new Date(Date.now() - 1000) } });
    await jobs().detailSweep({});
    const enriched = await t.db.models.Contact.findOne({ _id: contact!._id }).lean();
    expect(enriched!.name).to.equal('周女士');
    expect(enriched!.identityKeys).to.include('unionid:union-outage');
    const enrichedFollow = await t.db.models.Follow.findOne({ _id: follow!._id }).lean();
    expect(enrichedFollow).to.include({ state: scan.state, addWay: 1 });
    expect(await t.db.models.DetailDue.countDocuments({ vendorId: scan.external_userid }), 'settled').to.equal(0);
  });

  it('revives a row failed by the outage after it (also one failed before failures were classified), and leaves a permanent failure failed', async () => {
    const kf = 'wkSIMOUTAGE1';
    const send = async (content: string, createTime: number) => {
      const m = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: `wmOutage${createTime}`, content });
      await deliverCallback({ ...target(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m.token, openKfId: kf, createTime }) });
      return t.db.models.InboundRaw.findOne({ plaintext: { $regex: `<CreateTime>${createTime}<` } }).lean();
    };
    // The row is on its last attempt when WeCom goes down.
    const outage = await send('停电了吗', 1_795_100_000);
    await t.db.models.InboundRaw.updateOne({ _id: outage!._id }, { $set: { attempts: MAX_ATTEMPTS - 1 } });
    proxy.breakAll('down');
    await h.processor.drain();
    const failed = await t.db.models.InboundRaw.findOne({ _id: outage!._id }).lean();
    expect(failed).to.include({ status: 'failed', failKind: 'transient' });
    const metrics = await h.services.metrics.text();
    expect(metrics).to.match(/siyu_inbox_rows\{status="failed",reason="transient"\} 1/);
    expect(metrics).to.match(/siyu_inbox_failures_total\{reason="transient"\} 1/);

    // A row failed by an earlier release (no failKind), and a permanent failure (48002: API not permitted).
    const legacy = await send('旧的失败', 1_795_100_100);
    await t.db.models.InboundRaw.updateOne({ _id: legacy!._id }, { $set: { status: 'failed', attempts: MAX_ATTEMPTS, lastError: 'unavailable errcode=null: kf/sync_msg: request failed: fetch failed', nextAttemptAt: new Date(Date.now() - 1000) } });
    proxy.heal();
    const refused = await send('没有权限', 1_795_100_200);
    await t.db.models.InboundRaw.updateOne({ _id: refused!._id }, { $set: { attempts: MAX_ATTEMPTS - 1 } });
    h.sim.control.injectErrors('kf/sync_msg', 48002, 1);
    await h.processor.drain();
    expect(await t.db.models.InboundRaw.findOne({ _id: refused!._id }).lean()).to.include({ status: 'failed', failKind: 'permanent' });

    // Before its revival delay nothing is put back; after it, the transient ones are, and they apply.
    await jobs().inboxRevive({});
    expect(await t.db.models.InboundRaw.findOne({ _id: outage!._id }).lean()).to.include({ status: 'failed' });
    await t.db.models.InboundRaw.updateOne({ _id: outage!._id }, { $set: { nextAttemptAt: new Date(Date.now() - 1000) } });
    await t.db.models.InboundRaw.updateOne({ _id: refused!._id }, { $set: { nextAttemptAt: new Date(Date.now() - 1000) } });
    await jobs().inboxRevive({});
    await h.processor.drain();
    for (const id of [outage!._id, legacy!._id]) expect(await t.db.models.InboundRaw.findOne({ _id: id }).lean()).to.include({ status: 'processed', revivals: 1 });
    expect(await t.db.models.InboundRaw.findOne({ _id: refused!._id }).lean()).to.include({ status: 'failed', failKind: 'permanent' });
    const texts = (await t.db.models.Event.find({ channel: 'wecom_kf', 'payload.openKfId': kf }).lean()).map((e) => (e.payload as { text: string }).text);
    expect(texts).to.include.members(['停电了吗', '旧的失败']);
    expect(await h.services.metrics.text()).to.match(/siyu_inbox_revived_total 2/);
  });
  it('keeps an official-account subscriber whose profile the API cannot give, and adds the unionid when it can', async () => {
    const oaProxy = await startOutageProxy(h.oaSim.baseUrl);
    try {
      await h.services.channelAccounts.upsertDefault({
        corpId: SIM_CORP_ID,
        kind: 'official_account',
        name: '测试公众号',
        config: { appId: OA_APP_ID, appSecret: h.oaSim.secret, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, apiBase: oaProxy.baseUrl },
      });
      h.oaSim.control.addFollower({ openid: 'oOutage', unionid: 'union-oa-outage' });
      oaProxy.breakAll('down');
      const timestamp = String(nowS());
      const nonce = `n${Math.random().toString(36).slice(2)}`;
      const xml = `<xml><ToUserName><![CDATA[gh_simoa]]></ToUserName><FromUserName><![CDATA[oOutage]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
      const sealed = sealEvent({ token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, receiveId: OA_APP_ID, message: xml, toUserName: 'gh_simoa', timestamp, nonce });
      const res = await fetch(`${h.baseUrl}/callbacks/official-account?signature=${signature(CALLBACK_TOKEN, timestamp, nonce, '')}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${sealed.msgSignature}`, { method: 'POST', body: sealed.body });
      expect(res.status).to.equal(200);
      await h.processor.drain();
      const key = `openid:${OA_APP_ID}:oOutage`;
      const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: key }).lean();
      expect(contact, 'the subscriber exists at once').to.not.equal(null);
      expect(await t.db.models.Event.countDocuments({ type: 'oa_subscribed', contactId: String(contact!._id) })).to.equal(1);
      expect(await t.db.models.DetailDue.countDocuments({ kind: 'follower', vendorId: 'oOutage' })).to.equal(1);

      oaProxy.heal();
      await t.db.models.DetailDue.updateMany({ kind: 'follower' }, { $set: { nextAttemptAt: new Date(Date.now() - 1000) } });
      await jobs().detailSweep({});
      expect((await t.db.models.Contact.findOne({ _id: contact!._id }).lean())!.identityKeys).to.include('unionid:union-oa-outage');
      expect(await t.db.models.DetailDue.countDocuments({ kind: 'follower' })).to.equal(0);
    } finally {
      await oaProxy.stop();
    }
  });

});
