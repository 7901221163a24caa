import { expect } from 'chai';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { parseXml } from '../../shared/xml.ts';
import { verifyAndOpen, verifyUrl as openEchostr } from '../crypto/callback-envelope.ts';
import { W1 } from '../fixtures/crypto-vectors.ts';
import { deliverCallback, verifyUrl } from './callback-driver.ts';
import { externalChatEvent, externalContactEvent, externalTagEvent, kfMsgOrEvent } from './callback-events.ts';
import { listen } from './sim-kernel.ts';
import type { RunningServer } from './sim-kernel.ts';

const CONFIG = { token: W1.token, encodingAESKey: W1.encodingAESKey, corpId: W1.receiveId };

type Received = { query: Record<string, string>; body: string; inner?: string };

/** A stand-in for our callback endpoint: verifies like the real one, answers with scripted statuses. */
function receiver() {
  const received: Received[] = [];
  const script: { status: number; delayMs?: number; echoSuffix?: string }[] = [];
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    const query = ctx.query as Record<string, string>;
    const step = script.shift() ?? { status: 200 };
    const body = ctx.method === 'POST' ? (await getRawBody(ctx.req)).toString('utf8') : '';
    if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
    const auth = { ...CONFIG, receiveId: CONFIG.corpId, msgSignature: query.msg_signature ?? '', timestamp: query.timestamp ?? '', nonce: query.nonce ?? '' };
    if (ctx.method === 'GET') {
      ctx.body = openEchostr({ ...auth, echostr: query.echostr ?? '' }) + (step.echoSuffix ?? '');
      return;
    }
    received.push({ query: { ...query }, body, inner: verifyAndOpen({ ...auth, body }) });
    ctx.status = step.status;
    ctx.body = '';
  });
  return { app, received, script };
}

describe('callback driver', () => {
  let server: RunningServer;
  let endpoint: ReturnType<typeof receiver>;
  let url: string;

  beforeEach(async () => {
    endpoint = receiver();
    server = await listen(endpoint.app);
    url = `${server.baseUrl}/callback/wecom`;
  });
  afterEach(() => server.close());

  describe('deliverCallback', () => {
    it('posts an envelope the endpoint can verify and open, with signed query parameters', async () => {
      const xml = externalContactEvent({ corpId: CONFIG.corpId, changeType: 'add_external_contact', userId: 'zhangsan', externalUserId: 'wmA', state: 'teststate', welcomeCode: 'WELCOMECODE', createTime: 1403610513 });
      const result = await deliverCallback({ ...CONFIG, url, xml, agentId: 1000002 });
      expect(result.delivered).to.equal(true);
      expect(result.attempts.map((a) => a.status)).to.deep.equal([200]);
      const [got] = endpoint.received;
      expect(got!.inner).to.equal(xml);
      expect(Object.keys(got!.query).sort()).to.deep.equal(['msg_signature', 'nonce', 'timestamp']);
      const envelope = parseXml(got!.body);
      expect(envelope).to.include({ ToUserName: CONFIG.corpId, AgentID: '1000002' });
      expect(envelope.Encrypt).to.equal(result.sealed.body.match(/<Encrypt><!\[CDATA\[(.*?)\]\]>/)![1]);
    });

    it('retries a non-200 answer with the very same payload, up to 3 attempts', async () => {
      endpoint.script.push({ status: 500 }, { status: 502 });
      const xml = kfMsgOrEvent({ corpId: CONFIG.corpId, token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', openKfId: 'wkKF' });
      const result = await deliverCallback({ ...CONFIG, url, xml });
      expect(result.delivered).to.equal(true);
      expect(result.attempts.map((a) => a.status)).to.deep.equal([500, 502, 200]);
      expect(new Set(endpoint.received.map((r) => r.body)).size).to.equal(1);
      expect(new Set(endpoint.received.map((r) => JSON.stringify(r.query))).size).to.equal(1);
    });

    it('gives up after 3 failed attempts', async () => {
      endpoint.script.push({ status: 500 }, { status: 500 }, { status: 500 });
      const result = await deliverCallback({ ...CONFIG, url, xml: externalTagEvent({ corpId: CONFIG.corpId, id: 'et1', tagType: 'tag', changeType: 'create' }) });
      expect(result.delivered).to.equal(false);
      expect(result.attempts.map((a) => a.status)).to.deep.equal([500, 500, 500]);
    });

    it('treats an answer slower than the timeout as a failure and retries', async () => {
      endpoint.script.push({ status: 200, delayMs: 300 });
      const result = await deliverCallback({ ...CONFIG, url, xml: externalTagEvent({ corpId: CONFIG.corpId, id: 'et1', tagType: 'tag', changeType: 'delete' }), timeoutMs: 100 });
      expect(result.delivered).to.equal(true);
      expect(result.attempts[0]).to.include({ status: null, error: 'timeout' });
      expect(result.attempts[1]).to.include({ status: 200 });
    });

    it('signs with the given clock and a fresh nonce for every delivery (the endpoint refuses stale timestamps)', async () => {
      const clock = { now: () => new Date('2026-11-22T02:00:00Z') };
      const xml = externalTagEvent({ corpId: CONFIG.corpId, id: 'et2', tagType: 'tag', changeType: 'create' });
      await deliverCallback({ ...CONFIG, url, xml, clock });
      await deliverCallback({ ...CONFIG, url, xml, clock });
      expect(endpoint.received.map((r) => r.query.timestamp)).to.deep.equal(['1795312800', '1795312800']);
      expect(new Set(endpoint.received.map((r) => r.query.nonce)).size).to.equal(2);
      const now = Math.floor(Date.now() / 1000);
      await deliverCallback({ ...CONFIG, url, xml });
      expect(Number(endpoint.received[2]!.query.timestamp)).to.be.within(now, now + 5);
    });

    it('URL-encodes the query so +, / and = reach the endpoint intact', async () => {
      const result = await deliverCallback({ ...CONFIG, url, xml: '<xml><Event><![CDATA[x]]></Event></xml>', nonce: 'a+b/c=d', timestamp: '1409659589' });
      expect(result.delivered).to.equal(true);
      expect(endpoint.received[0]!.query).to.include({ nonce: 'a+b/c=d', timestamp: '1409659589' });
    });
  });

  describe('verifyUrl', () => {
    it('sends an encrypted, URL-encoded echostr and accepts the bare plaintext back', async () => {
      for (let i = 0; i < 5; i++) {
        const result = await verifyUrl({ ...CONFIG, url });
        expect(result.ok, result.echostr).to.equal(true);
        expect(result.body).to.equal(result.echo);
      }
    });

    it('rejects an answer with a trailing newline', async () => {
      endpoint.script.push({ status: 200, echoSuffix: '\n' });
      const result = await verifyUrl({ ...CONFIG, url, echo: '1616140317555161061' });
      expect(result).to.include({ ok: false, status: 200, body: '1616140317555161061\n' });
    });
  });

  describe('event builders', () => {
    it('change_external_contact carries the documented fields', () => {
      const xml = externalContactEvent({ corpId: 'ww1', changeType: 'del_external_contact', userId: 'zhangsan', externalUserId: 'wmA', source: 'DELETE_BY_TRANSFER', createTime: 1403610513 });
      expect(parseXml(xml)).to.deep.equal({
        ToUserName: 'ww1',
        FromUserName: 'sys',
        CreateTime: '1403610513',
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType: 'del_external_contact',
        UserID: 'zhangsan',
        ExternalUserID: 'wmA',
        Source: 'DELETE_BY_TRANSFER',
      });
      expect(xml).to.include('<CreateTime>1403610513</CreateTime>');
    });

    it('change_external_chat lists changed members as <Item> elements or one joined string', () => {
      const base = { corpId: 'ww1', chatId: 'wrA', changeType: 'update' as const, updateDetail: 'add_member' as const, joinScene: 3 as const, memChangeList: ['wmA', 'wmB'], lastMemVer: 'v1', curMemVer: 'v2' };
      const items = parseXml(externalChatEvent(base));
      expect(items).to.include({ Event: 'change_external_chat', ChatId: 'wrA', UpdateDetail: 'add_member', JoinScene: '3', MemChangeCnt: '2', LastMemVer: 'v1', CurMemVer: 'v2' });
      expect(items.MemChangeList).to.deep.equal({ Item: ['wmA', 'wmB'] });
      expect(parseXml(externalChatEvent({ ...base, memChangeListFormat: 'joined' })).MemChangeList).to.equal('wmA,wmB');
    });

    it('change_external_tag and kf_msg_or_event', () => {
      expect(parseXml(externalTagEvent({ corpId: 'ww1', id: 'etG', tagType: 'tag_group', changeType: 'shuffle', strategyId: 7 }))).to.include({ Event: 'change_external_tag', Id: 'etG', TagType: 'tag_group', ChangeType: 'shuffle', StrategyId: '7' });
      expect(parseXml(kfMsgOrEvent({ corpId: 'ww1', token: 'ENCtoken', openKfId: 'wkKF' }))).to.include({ Event: 'kf_msg_or_event', Token: 'ENCtoken', OpenKfId: 'wkKF' });
    });
  });
});
