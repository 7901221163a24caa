import { expect } from 'chai';
import pino from 'pino';
import { sealEvent } from '../../adapters/wecom/crypto/callback-envelope.ts';
import { signature } from '../../adapters/wecom/crypto/wx-biz-msg-crypt.ts';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent, kfMsgOrEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { testServices } from '../support/test-app.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, OA_APP_ID, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';

describe('微信客服 sync loop and official-account callbacks', () => {
  const t = useTestDatabase('kf_oa');
  let h: ChannelHarness;
  const wecomTarget = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });

  before(async () => {
    h = await startChannelHarness(t.db);
  });
  after(async () => h.stop());

  it('pulls kf messages until has_more is 0, and resumes from the persisted cursor after a restart', async () => {
    const kf = 'wkSIMKF0001';
    const m1 = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmKfCustomer1', content: '你好，想问下鲜奶配送' });
    h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmKfCustomer1', content: '每天几点送到？' });
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m1.token, openKfId: kf, createTime: 1_795_001_000 }) });
    await h.processor.drain();
    const first = await t.db.models.Event.find({ corpId: SIM_CORP_ID, channel: 'wecom_kf' }).sort({ occurredAt: 1 }).lean();
    expect(first.map((e) => (e.payload as { text: string }).text)).to.deep.equal(['你好，想问下鲜奶配送', '每天几点送到？']);
    const cursor = await t.db.models.KfCursor.findOne({ openKfId: kf }).lean();
    expect(cursor!.cursor).to.be.a('string').and.not.equal('');

    // A new process: fresh services and adapters (no in-memory cursor), same database.
    const restarted = testServices(t.db, { realClock: true });
    const processor = restarted.channels.processor(pino({ level: 'silent' }));
    const m3 = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmKfCustomer1', content: '好的谢谢' });
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m3.token, openKfId: kf, createTime: 1_795_001_100 }) });
    await processor.drain();
    const all = await t.db.models.Event.find({ corpId: SIM_CORP_ID, channel: 'wecom_kf' }).lean();
    expect(all, 'no message replayed, the new one appended').to.have.length(3);
    const requests = h.sim.control.requests('kf/sync_msg');
    expect((requests[requests.length - 1]!.body as { cursor?: string }).cursor).to.equal(cursor!.cursor);
    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: 'kf:wmKfCustomer1' }).lean();
    expect(contact!.lastInteractionAt).to.be.instanceOf(Date);
  });

  it('handles a page\'s customers side by side, each customer\'s messages in the order they wrote', async () => {
    const kf = 'wkSIMKF0002';
    const seen: Array<{ customer: string; text: string }> = [];
    let active = 0;
    let mostAtOnce = 0;
    let watching = true;
    h.services.channels.reactions.on('kf_message', {
      name: 'spec-order',
      react: async ({ event }) => {
        if (!watching || event.message.openKfId !== kf) return;
        mostAtOnce = Math.max(mostAtOnce, ++active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push({ customer: event.message.externalUserId ?? '', text: event.message.text ?? '' });
        active--;
      },
    });
    const sent: Array<[string, string]> = [['wmOrderA', 'A1'], ['wmOrderB', 'B1'], ['wmOrderA', 'A2'], ['wmOrderC', 'C1'], ['wmOrderB', 'B2'], ['wmOrderA', 'A3']];
    const tokens = sent.map(([customer, content]) => h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: customer, content }).token);
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: tokens.at(-1)!, openKfId: kf, createTime: 1_795_001_500 }) });
    try {
      await h.processor.drain();
    } finally {
      watching = false;
    }
    const of = (customer: string) => seen.filter((s) => s.customer === customer).map((s) => s.text);
    expect([of('wmOrderA'), of('wmOrderB'), of('wmOrderC')]).to.deep.equal([['A1', 'A2', 'A3'], ['B1', 'B2'], ['C1']]);
    expect(mostAtOnce).to.be.greaterThan(1);
  });

  it('folds the kf triggers of one account waiting to be applied into one pull; each is still logged and processed', async () => {
    const kf = 'wkSIMKF0003';
    h.sim.control.clearRequests();
    const texts = Array.from({ length: 10 }, (_, i) => `折叠${i}`);
    for (const [i, content] of texts.entries()) {
      const { token } = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: `wmFold${i % 3}`, content });
      await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token, openKfId: kf, createTime: 1_795_002_000 + i }) });
    }
    await h.processor.drain();
    const pulls = h.sim.control.requests('kf/sync_msg').filter((r) => (r.body as { open_kfid?: string }).open_kfid === kf);
    expect(pulls, 'ten triggers, one pull').to.have.length(1);
    const messages = await t.db.models.Event.find({ corpId: SIM_CORP_ID, channel: 'wecom_kf', 'payload.openKfId': kf, type: /^kf\.message/ }).lean();
    expect(messages.map((e) => (e.payload as { text: string }).text).sort()).to.deep.equal([...texts].sort());
    const triggers = await t.db.models.Event.countDocuments({ corpId: SIM_CORP_ID, type: 'kf_messages_available', 'payload.openKfId': kf });
    expect(triggers, 'each callback keeps its own log entry').to.equal(10);
    expect(await t.db.models.InboundRaw.countDocuments({ status: { $ne: 'processed' } })).to.equal(0);
  });

  it('applies folded kf triggers one by one when their lead fails, each retried on its own', async () => {
    const kf = 'wkSIMKF0004';
    h.sim.control.clearRequests();
    for (let i = 0; i < 3; i++) {
      const { token } = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmFoldFail', content: `失败${i}` });
      await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token, openKfId: kf, createTime: 1_795_003_000 + i }) });
    }
    h.sim.control.injectErrors('kf/sync_msg', 60011, 1);
    await h.processor.drain();
    const pulls = h.sim.control.requests('kf/sync_msg').filter((r) => (r.body as { open_kfid?: string }).open_kfid === kf);
    expect(pulls.map((r) => r.errcode), 'the lead failed; the next trigger pulled everything').to.deep.equal([60011, 0, 0]);
    const rows = await t.db.models.InboundRaw.find({ plaintext: new RegExp(kf) }).sort({ receivedAt: 1 }).lean();
    expect(rows.map((r) => r.status).sort()).to.deep.equal(['pending', 'processed', 'processed']);
    const messages = await t.db.models.Event.countDocuments({ corpId: SIM_CORP_ID, channel: 'wecom_kf', 'payload.openKfId': kf, type: /^kf\.message/ });
    expect(messages).to.equal(3);
  });

  it('joins a kf customer to the WeCom customer with the same unionid, fetching each new customer’s profile once', async () => {
    const kf = 'wkSIMKF0002';
    const customer = h.sim.control.addCustomer({ name: '王女士', unionid: 'union-kf', follow_user: [{ userid: 'a1' }] });
    await deliverCallback({ ...wecomTarget(), xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a1', externalUserId: customer.external_userid, createTime: 1_795_003_000 }) });
    await h.processor.drain();
    h.sim.control.clearRequests();

    const m1 = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmKfUnion', content: '我在企业微信加过店长', nickname: '小王', unionid: 'union-kf' });
    h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmKfNew', content: '第一次来', nickname: '小李' });
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m1.token, openKfId: kf, createTime: 1_795_003_100 }) });
    await h.processor.drain();

    const joined = await t.db.models.Contact.find({ corpId: SIM_CORP_ID, identityKeys: { $in: ['unionid:union-kf', 'kf:wmKfUnion', `wecom:${customer.external_userid}`] } }).lean();
    expect(joined, 'one contact for the WeCom customer and the kf customer').to.have.length(1);
    const contact = joined[0]!;
    expect(contact.identityKeys).to.include.members(['unionid:union-kf', 'kf:wmKfUnion', `wecom:${customer.external_userid}`]);
    expect(contact.name, 'the WeCom name is kept').to.equal('王女士');
    const timeline = await t.db.models.Event.find({ corpId: SIM_CORP_ID, contactId: String(contact._id), channel: 'wecom_kf' }).lean();
    expect(timeline.map((e) => (e.payload as { text: string }).text)).to.deep.equal(['我在企业微信加过店长']);
    const fresh = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: 'kf:wmKfNew' }).lean();
    expect(fresh!.name, 'a new kf customer is named by the nickname').to.equal('小李');
    expect(fresh!.unionid).to.equal(undefined);
    // Created with what its message would write (the time it wrote), so the message itself writes nothing more.
    const [said] = await t.db.models.Event.find({ corpId: SIM_CORP_ID, contactId: String(fresh!._id), channel: 'wecom_kf' }).lean();
    expect(fresh!.lastInteractionAt?.getTime()).to.equal(said!.occurredAt.getTime());
    expect(fresh!.updatedAt?.getTime(), 'written once').to.equal(fresh!.createdAt?.getTime());
    expect(h.sim.control.requests('kf/customer/batchget').map((r) => r.body)).to.deep.equal([{ external_userid_list: ['wmKfUnion', 'wmKfNew'], need_enter_session_context: 0 }]);

    const m3 = h.sim.control.kfCustomerMessage({ open_kfid: kf, external_userid: 'wmKfUnion', content: '还在吗' });
    await deliverCallback({ ...wecomTarget(), xml: kfMsgOrEvent({ corpId: SIM_CORP_ID, token: m3.token, openKfId: kf, createTime: 1_795_003_200 }) });
    await h.processor.drain();
    expect(h.sim.control.requests('kf/customer/batchget'), 'a known kf customer is not fetched again').to.have.length(1);
    expect(await t.db.models.Event.countDocuments({ corpId: SIM_CORP_ID, contactId: String(contact._id), channel: 'wecom_kf' })).to.equal(2);
  });

  describe('official account', () => {
    /** Plain mode is an account without an EncodingAESKey: the harness's default account has one (safe mode). */
    let plainAccountId = '';
    before(async () => {
      const config = { appId: OA_APP_ID, appSecret: h.oaSim.secret, token: CALLBACK_TOKEN, apiBase: h.oaSim.baseUrl };
      plainAccountId = (await h.services.channelAccounts.create({ corpId: SIM_CORP_ID, kind: 'official_account', name: '明文模式公众号', config })).id;
    });
    const now = () => String(Math.floor(h.services.clock.now().getTime() / 1000));
    const oaPost = async (xml: string, mode: 'plain' | 'aes') => {
      const timestamp = now();
      const nonce = `n${Math.random().toString(36).slice(2)}`;
      const plainSig = signature(CALLBACK_TOKEN, timestamp, nonce, '');
      if (mode === 'plain') return fetch(`${h.baseUrl}/callbacks/official-account/${plainAccountId}?signature=${plainSig}&timestamp=${timestamp}&nonce=${nonce}&openid=o1`, { method: 'POST', body: xml });
      const sealed = sealEvent({ token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, receiveId: OA_APP_ID, message: xml, toUserName: 'gh_simoa', timestamp, nonce });
      return fetch(`${h.baseUrl}/callbacks/official-account?signature=${plainSig}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${sealed.msgSignature}`, { method: 'POST', body: sealed.body });
    };
    const oaEvent = (openid: string, event: string, extra = '') =>
      `<xml><ToUserName><![CDATA[gh_simoa]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${1_795_002_000 + Math.floor(Math.random() * 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${extra}</xml>`;

    it('answers URL verification with the echostr after a plain signature check, 401 otherwise', async () => {
      const ts = now();
      const sig = signature(CALLBACK_TOKEN, ts, 'nonce1', '');
      const ok = await fetch(`${h.baseUrl}/callbacks/official-account?signature=${sig}&timestamp=${ts}&nonce=nonce1&echostr=hello123`);
      expect(ok.status).to.equal(200);
      expect(await ok.text()).to.equal('hello123');
      const bad = await fetch(`${h.baseUrl}/callbacks/official-account?signature=${'0'.repeat(40)}&timestamp=${ts}&nonce=nonce1&echostr=hello123`);
      expect(bad.status).to.equal(401);
    });

    it('joins a subscriber to the WeCom customer with the same unionid (safe mode), one contact across channels', async () => {
      const customer = h.sim.control.addCustomer({ name: '跨渠道客户', unionid: 'union-cross', follow_user: [{ userid: 'a2' }] });
      await deliverCallback({ ...wecomTarget(), xml: externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: 'a2', externalUserId: customer.external_userid, createTime: 1_795_002_100 }) });
      h.oaSim.control.addFollower({ openid: 'oCross', unionid: 'union-cross' });
      const res = await oaPost(oaEvent('oCross', 'subscribe', '<EventKey><![CDATA[qrscene_store_SH01]]></EventKey>'), 'aes');
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('success');
      await h.processor.drain();
      const contacts = await t.db.models.Contact.find({ corpId: SIM_CORP_ID, identityKeys: { $in: ['unionid:union-cross', `openid:${OA_APP_ID}:oCross`, `wecom:${customer.external_userid}`] } }).lean();
      expect(contacts).to.have.length(1);
      expect(contacts[0]!.openids).to.deep.equal([{ appId: OA_APP_ID, openid: 'oCross' }]);
      const sub = await t.db.models.Event.findOne({ corpId: SIM_CORP_ID, type: 'oa_subscribed', contactId: String(contacts[0]!._id) }).lean();
      expect((sub!.payload as { scene: string }).scene).to.equal('store_SH01');
    });

    it('records plain-mode text messages and makes an unsubscribed follower unreachable', async () => {
      h.oaSim.control.addFollower({ openid: 'oPlain' });
      await oaPost(oaEvent('oPlain', 'subscribe'), 'plain');
      const text = `<xml><ToUserName><![CDATA[gh_simoa]]></ToUserName><FromUserName><![CDATA[oPlain]]></FromUserName><CreateTime>1795002500</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[还有优惠吗]]></Content><MsgId>4561255354251345929</MsgId></xml>`;
      expect((await oaPost(text, 'plain')).status).to.equal(200);
      await h.processor.drain();
      const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `openid:${OA_APP_ID}:oPlain` }).lean();
      expect(contact!.consent!.reachable).to.equal(true);
      const msg = await t.db.models.Event.findOne({ corpId: SIM_CORP_ID, key: 'oa:gh_simoa:msg:4561255354251345929' }).lean();
      expect((msg!.payload as { msgId: string }).msgId, 'MsgId keeps all its digits').to.equal('4561255354251345929');
      await oaPost(oaEvent('oPlain', 'unsubscribe'), 'plain');
      await h.processor.drain();
      const after = await t.db.models.Contact.findById(contact!._id).lean();
      expect(after!.consent!.reachable).to.equal(false);
    });

    it('opts a follower out when they reply 「退订」 (full-width TD too), once, whatever the redeliveries', async () => {
      h.oaSim.control.addFollower({ openid: 'oStop' });
      await oaPost(oaEvent('oStop', 'subscribe'), 'plain');
      const reply = (content: string, msgId: string) => `<xml><ToUserName><![CDATA[gh_simoa]]></ToUserName><FromUserName><![CDATA[oStop]]></FromUserName><CreateTime>1795002600</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
      await oaPost(reply('退订了吗？', '4561255354251345001'), 'plain'); // a question, not a stop word
      await h.processor.drain();
      const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `openid:${OA_APP_ID}:oStop` }).lean();
      expect(contact!.consent!.optedOut).to.equal(false);
      for (let i = 0; i < 2; i++) await oaPost(reply(' ＴＤ。', '4561255354251345002'), 'plain');
      await h.processor.drain();
      const after = await t.db.models.Contact.findById(contact!._id).lean();
      expect(after!.consent!.optedOut).to.equal(true);
      const events = await t.db.models.Event.find({ corpId: SIM_CORP_ID, contactId: String(contact!._id), type: 'contact.opted_out' }).lean();
      expect(events.map((e) => (e.payload as { source: string }).source)).to.deep.equal(['customer_reply']);
    });
  });
});
