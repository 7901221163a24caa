import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../simulator/fake-clock.ts';
import { startWecomSimulator } from '../simulator/wecom-simulator.ts';
import type { WecomSimulator } from '../simulator/wecom-simulator.ts';
import { WecomApiError, WecomTransportError } from './wecom-api-error.ts';
import { WecomClient } from './wecom.client.ts';
import type { WecomClientOptions } from './wecom.client.ts';
import type { KfSendMsgRequest } from './wecom.types.ts';

const KF = 'wkKF0001';

describe('WecomHttp (against the WeCom simulator)', () => {
  const clock = new FakeClock();
  let sim: WecomSimulator;
  let sleeps: number[];

  function client(overrides: Partial<Extract<WecomClientOptions, { corpId: string }>> = {}): WecomClient {
    return new WecomClient({
      corpId: sim.corpId,
      secret: sim.secret,
      baseUrl: sim.baseUrl,
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    });
  }

  const text = (touser: string, content: string): KfSendMsgRequest => ({ touser, open_kfid: KF, msgtype: 'text', text: { content } });
  const errcodes = (api: string) => sim.control.requests(api).map((r) => r.errcode);
  const openWindows = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const customer = `${prefix}${i}`;
      sim.control.customerMessaged(customer);
      return customer;
    });

  before(async () => {
    sim = await startWecomSimulator({ clock });
    // With a customer: externalcontact/list refuses a member without any (84061).
    sim.control.addCustomer({ name: '顾客', follow_user: [{ userid: 'zhangsan' }] });
    sim.control.addKfAccount(KF);
  });
  after(() => sim.stop());
  beforeEach(() => {
    sleeps = [];
    sim.control.clearRequests();
  });

  describe('access token', () => {
    it('fetches the token once for 10 concurrent calls and injects it into each', async () => {
      const wecom = client();
      await Promise.all(Array.from({ length: 10 }, () => wecom.listExternalContacts('zhangsan')));
      expect(sim.control.requests('gettoken')).to.have.length(1);
      const tokens = new Set(sim.control.requests('externalcontact/list').map((r) => r.query.access_token));
      expect(tokens.size).to.equal(1);
      expect(sim.control.requests('gettoken')[0]!.query).to.deep.equal({ corpid: sim.corpId, corpsecret: sim.secret });
    });

    it('reuses the cached token for later calls', async () => {
      const wecom = client();
      for (let i = 0; i < 3; i++) await wecom.listExternalContacts('zhangsan');
      expect(sim.control.requests('gettoken')).to.have.length(1);
    });

    it('recovers from token expiry mid-stream: one refresh, one retry, every send delivered once', async () => {
      const wecom = client();
      const customers = openWindows('wmExpiry', 6);
      const before = sim.state.kf.sent.length;
      for (const [i, customer] of customers.entries()) {
        if (i === 3) sim.control.expireTokens();
        await wecom.kfSendMsg(text(customer, `hello ${i}`));
      }
      const sent = sim.state.kf.sent.slice(before);
      expect(sent.map((s) => s.body.touser)).to.deep.equal(customers);
      expect(errcodes('kf/send_msg')).to.deep.equal([0, 0, 0, 42001, 0, 0, 0]);
      expect(sim.control.requests('gettoken')).to.have.length(2);
      expect(sleeps).to.deep.equal([]);
    });

    it('refreshes once for many concurrent calls that hit the same expired token', async () => {
      const wecom = client();
      await wecom.listExternalContacts('zhangsan');
      sim.control.expireTokens();
      const customers = openWindows('wmConcurrent', 10);
      const before = sim.state.kf.sent.length;
      await Promise.all(customers.map((c) => wecom.kfSendMsg(text(c, 'hi'))));
      expect(sim.state.kf.sent.length - before).to.equal(10);
      expect(sim.control.requests('gettoken')).to.have.length(2);
      expect(errcodes('kf/send_msg').filter((c) => c === 42001)).to.have.length(10);
    });

    it('does not drop the fresh token when a late reply reports the old one expired', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      const slowFetch: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (!held && String(init?.body ?? '').includes('"touser":"wmSlow"')) {
          held = true;
          await gate;
        }
        return response;
      };
      const wecom = client({ fetch: slowFetch });
      sim.control.customerMessaged('wmSlow');
      sim.control.customerMessaged('wmFast');
      await wecom.listExternalContacts('zhangsan');
      sim.control.expireTokens();
      const late = wecom.kfSendMsg(text('wmSlow', 'late'));
      while (sim.control.requests('kf/send_msg').length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      await wecom.kfSendMsg(text('wmFast', 'fast'));
      release();
      await late;
      expect(sim.control.requests('gettoken')).to.have.length(2);
      expect(errcodes('kf/send_msg')).to.deep.equal([42001, 42001, 0, 0]);
    });

    it('gives up after one refresh when the new token is refused too', async () => {
      const wecom = client();
      sim.control.injectErrors('externalcontact/list', 40014, 2);
      const err = await wecom.listExternalContacts('zhangsan').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 40014, kind: 'token' });
      expect(errcodes('externalcontact/list')).to.deep.equal([40014, 40014]);
    });
  });

  describe('backoff', () => {
    for (const errcode of [45009, -1, 45033]) {
      it(`recovers from injected ${errcode} after backoff with no lost and no duplicate send`, async () => {
        const wecom = client();
        const [customer] = openWindows(`wmBackoff${errcode}_`, 1);
        sim.control.injectErrors('kf/send_msg', errcode, 2);
        const before = sim.state.kf.sent.length;
        const reply = await wecom.kfSendMsg({ ...text(customer!, 'once'), msgid: `once${Math.abs(errcode)}` });
        expect(reply.msgid).to.equal(`once${Math.abs(errcode)}`);
        expect(sim.state.kf.sent.length - before).to.equal(1);
        expect(errcodes('kf/send_msg')).to.deep.equal([errcode, errcode, 0]);
        expect(sleeps).to.deep.equal([750, 1500]);
      });
    }

    it('surfaces the rate limit after the bounded retries, without sending', async () => {
      const wecom = client();
      const [customer] = openWindows('wmGiveUp', 1);
      sim.control.injectErrors('kf/send_msg', 45009, 4);
      const before = sim.state.kf.sent.length;
      const err = await wecom.kfSendMsg(text(customer!, 'never')).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 45009, kind: 'rate_limit', api: 'kf/send_msg' });
      expect((err as WecomApiError).retryable).to.equal(true);
      expect(sim.state.kf.sent.length).to.equal(before);
      expect(sleeps).to.deep.equal([750, 1500, 3000]);
    });

    it('backs off on a busy gettoken too', async () => {
      const wecom = client();
      sim.control.injectErrors('gettoken', -1, 1);
      await wecom.listExternalContacts('zhangsan');
      expect(errcodes('gettoken')).to.deep.equal([-1, 0]);
      expect(sleeps).to.deep.equal([750]);
    });
  });

  describe('configuration errors', () => {
    it('fails fast on 40001 from gettoken: no retry, no API call, and the failure is held', async () => {
      const wecom = client({ secret: 'wrong-secret' });
      for (let i = 0; i < 2; i++) {
        const err = await wecom.listExternalContacts('zhangsan').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 40001, kind: 'config', api: 'gettoken' });
      }
      expect(sim.control.requests('gettoken')).to.have.length(1);
      expect(sim.control.requests('externalcontact/list')).to.have.length(0);
      expect(sleeps).to.deep.equal([]);
    });

    it('fails fast on a wrong corp id (40013)', async () => {
      const err = await client({ corpId: 'wwunknown' }).listExternalContacts('zhangsan').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 40013, kind: 'config' });
    });

    for (const errcode of [48002, 60020]) {
      it(`fails fast on ${errcode} with a single request`, async () => {
        sim.control.injectErrors('externalcontact/list', errcode, 1);
        const err = await client().listExternalContacts('zhangsan').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode, kind: 'config' });
        expect(errcodes('externalcontact/list')).to.deep.equal([errcode]);
        expect(sleeps).to.deep.equal([]);
      });
    }
  });

  describe('throttle', () => {
    it('keeps calls under the simulator per-minute limit instead of collecting 45009', async () => {
      sim.control.setRateLimit('externalcontact/get_corp_tag_list', 10);
      const wecom = client({
        sleep: clock.sleep,
        throttleRules: { 'externalcontact/get_corp_tag_list': { perMinute: 6, burst: 2 } },
      });
      const started = clock.now().getTime();
      for (let i = 0; i < 20; i++) await wecom.getCorpTagList();
      expect(errcodes('externalcontact/get_corp_tag_list')).to.deep.equal(Array(20).fill(0));
      expect(clock.now().getTime() - started).to.equal(18 * 10_000);
    });

    it('refuses before calling a detail read the throttle would hold past the caller\'s wait: local 45009, no request', async () => {
      const customer = sim.control.addCustomer({ name: '排队', follow_user: [{ userid: 'zhangsan' }] });
      const wecom = client({ sleep: clock.sleep, throttleRules: { 'externalcontact/get': { perMinute: 6, burst: 1 } } });
      await wecom.getExternalContact(customer.external_userid);
      sim.control.clearRequests();
      const err = await wecom.getExternalContact(customer.external_userid, undefined, { maxWaitMs: 5_000 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 45009, kind: 'rate_limit', local: true });
      expect(sim.control.requests('externalcontact/get'), 'nothing asked').to.have.length(0);
    });

    it('is what the simulator limit would otherwise answer: 45009', async () => {
      sim.control.setRateLimit('externalcontact/get_corp_tag_list', 2);
      sim.control.clearRequests();
      const wecom = client({ backoff: { retries: 0 } });
      await wecom.getCorpTagList();
      await wecom.getCorpTagList();
      const err = await wecom.getCorpTagList().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomApiError).and.include({ errcode: 45009, kind: 'rate_limit' });
    });
  });

  describe('transport and errmsg', () => {
    it('reports a non-200 answer as a transport error', async () => {
      const err = await client({ baseUrl: `${sim.baseUrl}/elsewhere` }).listExternalContacts('zhangsan').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WecomTransportError).and.include({ status: 404, api: 'gettoken' });
    });

    it('gives up on a server that never answers after its timeout, and on one that refuses the connection', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = silent.address() as AddressInfo;
        const started = Date.now();
        const err = await client({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 }).listExternalContacts('zhangsan').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(WecomTransportError).and.include({ api: 'gettoken' });
        expect(Date.now() - started, 'the timeout, not the socket, ended it').to.be.below(5_000);
      } finally {
        silent.closeAllConnections();
        silent.close();
      }
      const refused = await client({ baseUrl: 'http://127.0.0.1:9' }).listExternalContacts('zhangsan').catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(WecomTransportError).and.include({ api: 'gettoken' });
    });

    it('keeps errmsg (with its hint suffix) as data and never needs it to decide', async () => {
      sim.control.injectErrors('externalcontact/list', 40096, 2);
      const wecom = client();
      const first = (await wecom.listExternalContacts('zhangsan').catch((e: unknown) => e)) as WecomApiError;
      const second = (await wecom.listExternalContacts('zhangsan').catch((e: unknown) => e)) as WecomApiError;
      expect(first.kind).to.equal('invalid');
      expect(first.errmsg).to.match(/hint: \[[^\]]+\]/);
      expect(first.errmsg).to.not.equal(second.errmsg);
    });
  });
});
