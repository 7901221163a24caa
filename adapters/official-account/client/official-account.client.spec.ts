import { expect } from 'chai';
import { FakeClock } from '../../wecom/simulator/fake-clock.ts';
import { startOfficialAccountSimulator } from '../simulator/official-account-simulator.ts';
import type { OfficialAccountSimulator } from '../simulator/official-account-simulator.ts';
import { OfficialAccountApiError } from './official-account-api-error.ts';
import { OfficialAccountClient } from './official-account.client.ts';
import type { CustomSendRequest } from './official-account.types.ts';

describe('OfficialAccountClient (against the official-account simulator)', () => {
  const clock = new FakeClock();
  let sim: OfficialAccountSimulator;
  let sleeps: number[];

  const client = (secret = sim.secret) =>
    new OfficialAccountClient({
      appId: sim.appId,
      secret,
      baseUrl: sim.baseUrl,
      clock,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  const errcodes = (api: string) => sim.control.requests(api).map((r) => r.errcode);
  const lastBody = (api: string) => sim.control.requests(api).at(-1)?.body;
  const rejection = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a rejection'), (e: unknown) => e as OfficialAccountApiError);
  const text = (touser: string, content: string): CustomSendRequest => ({ touser, msgtype: 'text', text: { content } });

  before(async () => {
    sim = await startOfficialAccountSimulator({ clock });
    sim.control.addFollower({ openid: 'oFAN1', unionid: 'oUNION_1' });
    sim.control.addFollower({ openid: 'oGONE', subscribed: false });
    sim.control.addTemplate('TPL_ORDER');
  });
  after(() => sim.stop());
  beforeEach(() => {
    sleeps = [];
    sim.control.clearRequests();
  });

  describe('access token', () => {
    it('fetches one token for 10 concurrent calls, with the documented query', async () => {
      const oa = client();
      await Promise.all(Array.from({ length: 10 }, () => oa.getUserInfo('oFAN1')));
      expect(sim.control.requests('token')).to.have.length(1);
      expect(sim.control.requests('token')[0]!.query).to.deep.equal({ grant_type: 'client_credential', appid: sim.appId, secret: sim.secret });
    });

    it('recovers when another holder retired its token (40001 after the grace): refresh and retry once', async () => {
      const oa = client();
      await oa.getUserInfo('oFAN1');
      await client().getUserInfo('oFAN1');
      clock.advance(5 * 60_000 + 1);
      await oa.getUserInfo('oFAN1');
      expect(errcodes('user/info')).to.deep.equal([0, 0, 40001, 0]);
      expect(sim.control.requests('token')).to.have.length(3);
    });

    it('recovers from expiry mid-stream with every send delivered once', async () => {
      const oa = client();
      sim.control.customerMessaged('oFAN1');
      const before = sim.state.customSends.length;
      for (let i = 0; i < 4; i++) {
        if (i === 2) sim.control.expireTokens();
        await oa.customSend(text('oFAN1', `m${i}`));
      }
      expect(sim.state.customSends.slice(before).map((s) => s.body)).to.deep.equal([0, 1, 2, 3].map((i) => text('oFAN1', `m${i}`)));
      expect(errcodes('message/custom/send')).to.deep.equal([0, 0, 42001, 0, 0]);
    });

    it('fails fast on 40001 from the token endpoint', async () => {
      const err = await rejection(client('wrong').getUserInfo('oFAN1'));
      expect(err).to.be.instanceOf(OfficialAccountApiError).and.include({ errcode: 40001, kind: 'config', api: 'token' });
      expect(sim.control.requests('token')).to.have.length(1);
      expect(sim.control.requests('user/info')).to.have.length(0);
    });
  });

  describe('busy and quota', () => {
    it('backs off on -1 and sends exactly once', async () => {
      const oa = client();
      sim.control.customerMessaged('oFAN1');
      sim.control.injectErrors('message/custom/send', -1, 1);
      const before = sim.state.customSends.length;
      await oa.customSend(text('oFAN1', 'busy'));
      expect(sim.state.customSends.length - before).to.equal(1);
      expect(errcodes('message/custom/send')).to.deep.equal([-1, 0]);
      expect(sleeps).to.deep.equal([750]);
    });

    it('surfaces 45009 (the daily quota) at once instead of backing off', async () => {
      sim.control.setDailyQuota('message/template/send', 1);
      const oa = client();
      const body = { touser: 'oFAN1', template_id: 'TPL_ORDER', data: { first: { value: '订单已发货' } } };
      await oa.sendTemplate(body);
      const err = await rejection(oa.sendTemplate(body));
      expect(err).to.include({ errcode: 45009, kind: 'rate_limit' });
      expect(errcodes('message/template/send')).to.deep.equal([0, 45009]);
      expect(sleeps).to.deep.equal([]);
      sim.control.setDailyQuota('message/template/send', 1_000_000);
    });
  });

  describe('message/custom/send', () => {
    it('sends 5 messages within 48 hours of the user’s message, then 45047', async () => {
      const oa = client();
      sim.control.customerMessaged('oFAN1');
      for (let i = 1; i <= 5; i++) await oa.customSend(text('oFAN1', `reply ${i}`));
      expect(lastBody('message/custom/send')).to.deep.equal(text('oFAN1', 'reply 5'));
      expect(await rejection(oa.customSend(text('oFAN1', 'reply 6')))).to.include({ errcode: 45047, kind: 'window' });
    });

    it('answers 45015 outside the 48-hour window', async () => {
      const oa = client();
      sim.control.customerMessaged('oFAN1');
      clock.advance(48 * 3_600_000 + 1000);
      expect(await rejection(oa.customSend(text('oFAN1', 'late')))).to.include({ errcode: 45015, kind: 'window' });
    });

    it('refuses locally when the caller knows the window is closed', async () => {
      const window = { lastCustomerMessageAt: null, sentSinceCustomerMessage: 0 };
      expect(await rejection(client().customSend(text('oFAN1', 'x'), { window }))).to.include({ errcode: 45015, local: true });
      expect(sim.control.requests('message/custom/send')).to.have.length(0);
    });
  });

  describe('tags', () => {
    it('creates a tag and tags up to 50 users in one batch', async () => {
      const oa = client();
      const openids = Array.from({ length: 50 }, (_, i) => `oBATCH${i}`);
      for (const openid of openids) sim.control.addFollower({ openid });
      const { tag } = await oa.createTag('高净值');
      await oa.batchTagging({ openid_list: openids, tagid: tag.id });
      expect(lastBody('tags/members/batchtagging')).to.deep.equal({ openid_list: openids, tagid: tag.id });
      expect((await oa.getTagIdList('oBATCH7')).tagid_list).to.deep.equal([tag.id]);
      expect((await oa.getTags()).tags.find((t) => t.id === tag.id)).to.include({ name: '高净值', count: 50 });
      await oa.batchUntagging({ openid_list: ['oBATCH7'], tagid: tag.id });
      expect((await oa.getTagIdList('oBATCH7')).tagid_list).to.deep.equal([]);
    });

    it('refuses more than 50 openids locally with 40032', async () => {
      const openid_list = Array.from({ length: 51 }, (_, i) => `oX${i}`);
      expect(await rejection(client().batchTagging({ openid_list, tagid: 100 }))).to.include({ errcode: 40032, local: true });
      expect(sim.control.requests('tags/members/batchtagging')).to.have.length(0);
    });
  });

  describe('message/template/send and user/info', () => {
    it('sends a template message with the exact body and returns msgid', async () => {
      const body = {
        touser: 'oFAN1',
        template_id: 'TPL_ORDER',
        url: 'https://example.com/order/1',
        client_msg_id: 'order-1',
        data: { first: { value: '订单已发货', color: '#173177' }, keyword1: { value: 'SF123' } },
      };
      const reply = await client().sendTemplate(body);
      expect(lastBody('message/template/send')).to.deep.equal(body);
      expect(sim.state.templateSends.at(-1)!.msgid).to.equal(reply.msgid);
    });

    it('answers 43004 for an unsubscribed user', async () => {
      const err = await rejection(client().sendTemplate({ touser: 'oGONE', template_id: 'TPL_ORDER', data: {} }));
      expect(err).to.include({ errcode: 43004, kind: 'invalid' });
    });

    it('returns user info with unionid', async () => {
      const info = await client().getUserInfo('oFAN1');
      expect(info).to.include({ subscribe: 1, openid: 'oFAN1', unionid: 'oUNION_1' });
      const { access_token: _t, ...query } = sim.control.requests('user/info').at(-1)!.query;
      expect(query).to.deep.equal({ openid: 'oFAN1', lang: 'zh_CN' });
    });
  });
});
