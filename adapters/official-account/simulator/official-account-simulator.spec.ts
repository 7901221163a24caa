import { expect } from 'chai';
import { FakeClock } from '../../wecom/simulator/fake-clock.ts';
import { startOfficialAccountSimulator } from './official-account-simulator.ts';
import type { OfficialAccountSimulator } from './official-account-simulator.ts';

type Reply = { errcode?: number; errmsg?: string; [field: string]: unknown };

describe('official-account simulator', () => {
  const clock = new FakeClock();
  let sim: OfficialAccountSimulator;
  let token: string;

  async function request(method: 'GET' | 'POST', api: string, query: Record<string, string>, body?: unknown): Promise<Reply> {
    const url = new URL(`${sim.baseUrl}/cgi-bin/${api}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const init = body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    const response = await fetch(url, init);
    expect(response.status).to.equal(200);
    return (await response.json()) as Reply;
  }
  const fetchToken = async () => String((await request('GET', 'token', { grant_type: 'client_credential', appid: sim.appId, secret: sim.secret })).access_token);
  const post = (api: string, body: unknown) => request('POST', api, { access_token: token }, body);
  async function expectCode(reply: Promise<Reply>, errcode: number): Promise<Reply> {
    const r = await reply;
    expect(r.errcode ?? 0, r.errmsg).to.equal(errcode);
    if (errcode !== 0) expect(r.errmsg).to.match(/hint: \[[^\]]+\]/);
    return r;
  }

  before(async () => {
    sim = await startOfficialAccountSimulator({ clock });
    sim.control.addFollower({ openid: 'oA' });
    sim.control.addFollower({ openid: 'oGONE', subscribed: false });
    sim.control.addTemplate('TPL');
  });
  after(() => sim.stop());
  beforeEach(async () => {
    token = await fetchToken();
  });

  describe('token', () => {
    it('answers 40002 / 40013 / 40001 for a wrong grant_type, appid or secret', async () => {
      await expectCode(request('GET', 'token', { grant_type: 'password', appid: sim.appId, secret: sim.secret }), 40002);
      await expectCode(request('GET', 'token', { grant_type: 'client_credential', appid: 'wxother', secret: sim.secret }), 40013);
      await expectCode(request('GET', 'token', { grant_type: 'client_credential', appid: sim.appId, secret: 'nope' }), 40001);
    });

    it('mints a new token per fetch; the previous one works 5 more minutes, then answers 40001', async () => {
      const old = token;
      const fresh = await fetchToken();
      expect(fresh).to.not.equal(old);
      await expectCode(request('GET', 'user/info', { access_token: old, openid: 'oA' }), 0);
      clock.advance(5 * 60_000 + 1);
      await expectCode(request('GET', 'user/info', { access_token: old, openid: 'oA' }), 40001);
      await expectCode(request('GET', 'user/info', { access_token: fresh, openid: 'oA' }), 0);
    });

    it('answers 41001 / 40014 / 42001 for a missing, unknown or expired token', async () => {
      await expectCode(request('GET', 'user/info', { openid: 'oA' }), 41001);
      await expectCode(request('GET', 'user/info', { access_token: 'forged', openid: 'oA' }), 40014);
      clock.advance(7200 * 1000);
      await expectCode(request('GET', 'user/info', { access_token: token, openid: 'oA' }), 42001);
    });
  });

  describe('message/custom/send', () => {
    it('answers 40003 / 40008 / 44004 for a bad recipient, type or empty text', async () => {
      sim.control.customerMessaged('oA');
      await expectCode(post('message/custom/send', { touser: 'oNOPE', msgtype: 'text', text: { content: 'x' } }), 40003);
      await expectCode(post('message/custom/send', { touser: 'oA', msgtype: 'sticker', sticker: {} }), 40008);
      await expectCode(post('message/custom/send', { touser: 'oA', msgtype: 'text', text: { content: '' } }), 44004);
    });

    it('answers 45015 to an unsubscribed user or one who never wrote, 45047 after 5 messages', async () => {
      await expectCode(post('message/custom/send', { touser: 'oGONE', msgtype: 'text', text: { content: 'x' } }), 45015);
      sim.control.addFollower({ openid: 'oQUIET' });
      await expectCode(post('message/custom/send', { touser: 'oQUIET', msgtype: 'text', text: { content: 'x' } }), 45015);
      sim.control.customerMessaged('oQUIET');
      for (let i = 0; i < 5; i++) await expectCode(post('message/custom/send', { touser: 'oQUIET', msgtype: 'text', text: { content: 'x' } }), 0);
      await expectCode(post('message/custom/send', { touser: 'oQUIET', msgtype: 'text', text: { content: 'x' } }), 45047);
    });
  });

  describe('tags', () => {
    it('create: name 1–30 characters (45158), unique (45157), at most 100 tags (45056)', async () => {
      await expectCode(post('tags/create', { tag: { name: '名'.repeat(31) } }), 45158);
      await expectCode(post('tags/create', { tag: { name: '' } }), 45158);
      await expectCode(post('tags/create', { tag: { name: '名'.repeat(30) } }), 0);
      await expectCode(post('tags/create', { tag: { name: '名'.repeat(30) } }), 45157);
      for (let i = sim.state.tags.size; i < 100; i++) await expectCode(post('tags/create', { tag: { name: `t${i}` } }), 0);
      await expectCode(post('tags/create', { tag: { name: 'one more' } }), 45056);
    });

    it('batchtagging: 1–50 openids (40032), known tag (45159), known openids (40003), ≤20 tags per user (45059)', async () => {
      const ids = [...sim.state.tags.keys()];
      await expectCode(post('tags/members/batchtagging', { openid_list: [], tagid: ids[0] }), 40032);
      await expectCode(post('tags/members/batchtagging', { openid_list: Array(51).fill('oA'), tagid: ids[0] }), 40032);
      await expectCode(post('tags/members/batchtagging', { openid_list: ['oA'], tagid: 99_999 }), 45159);
      await expectCode(post('tags/members/batchtagging', { openid_list: ['oA', 'oNOPE'], tagid: ids[0] }), 40003);
      for (const id of ids.slice(0, 20)) await expectCode(post('tags/members/batchtagging', { openid_list: ['oA'], tagid: id }), 0);
      await expectCode(post('tags/members/batchtagging', { openid_list: ['oA'], tagid: ids[20] }), 45059);
      await expectCode(post('tags/members/batchtagging', { openid_list: ['oA'], tagid: ids[0] }), 0);
    });
  });

  describe('message/template/send and user/info', () => {
    it('answers 40037 for an unknown template, 47003 without data, 43004 for an unsubscribed user', async () => {
      await expectCode(post('message/template/send', { touser: 'oA', template_id: 'NOPE', data: {} }), 40037);
      await expectCode(post('message/template/send', { touser: 'oA', template_id: 'TPL' }), 47003);
      await expectCode(post('message/template/send', { touser: 'oGONE', template_id: 'TPL', data: {} }), 43004);
      const ok = await expectCode(post('message/template/send', { touser: 'oA', template_id: 'TPL', data: {} }), 0);
      expect(ok.msgid).to.be.a('number');
    });

    it('user/info: 40003 for an unknown openid; an unsubscribed user returns subscribe 0', async () => {
      await expectCode(request('GET', 'user/info', { access_token: token, openid: 'oNOPE' }), 40003);
      const gone = await expectCode(request('GET', 'user/info', { access_token: token, openid: 'oGONE' }), 0);
      expect(gone).to.deep.include({ subscribe: 0, openid: 'oGONE' });
    });

    it('answers 45009 once a daily quota is used up', async () => {
      sim.control.setDailyQuota('user/info', 1);
      await expectCode(request('GET', 'user/info', { access_token: token, openid: 'oA' }), 0);
      await expectCode(request('GET', 'user/info', { access_token: token, openid: 'oA' }), 45009);
      clock.advance(24 * 3_600_000 + 1);
      token = await fetchToken();
      await expectCode(request('GET', 'user/info', { access_token: token, openid: 'oA' }), 0);
    });
  });
});
