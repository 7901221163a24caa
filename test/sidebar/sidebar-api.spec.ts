import { expect } from 'chai';
import { jsapiSignature } from '../../adapters/wecom/client/jsapi-signature.ts';
import { jsapiTicketsOf } from '../../adapters/wecom/simulator/jsapi.route.ts';
import { SIM_CORP_ID, SIM_SECRET } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';
import { SIDEBAR_CUSTOMER, seedSidebarCustomer, type SidebarSeed } from '../support/sidebar-seed.ts';

describe('sidebar API /api/sidebar/*', () => {
  const t = useTestDatabase('sidebar_api');
  let h: ChannelHarness;
  let seed: SidebarSeed;
  let api: ReturnType<typeof http>;
  const profileOf = (token: string) => api.get(`/api/sidebar/contact?externalUserId=${SIDEBAR_CUSTOMER}`, token);

  before(async () => {
    h = await startChannelHarness(t.db);
    seed = await seedSidebarCustomer(h);
    api = http(h.services);
  });
  after(async () => h?.stop());

  it('serves the page and the JS-SDK global build from node_modules under the strict CSP', async () => {
    const page = await api.raw().get('/sidebar');
    expect(page.status).to.equal(200);
    expect(page.headers['content-security-policy']).to.include("script-src 'self'");
    expect(page.text).to.include('<script src="/vendor/wecom-jssdk.js" defer></script>');
    const sdk = await api.raw().get('/vendor/wecom-jssdk.js');
    expect(sdk.status).to.equal(200);
    expect(sdk.headers['content-type']).to.equal('text/javascript; charset=utf-8');
    expect(sdk.text.startsWith('var ww=')).to.equal(true);
  });

  it('signs staff in from a WeCom OAuth code and sends them back to /sidebar with the token in the fragment', async () => {
    const code = h.sim.control.issueOAuthCode('a2');
    const ok = await api.raw().get(`/sidebar/oauth?code=${code}`);
    expect(ok.status).to.equal(302);
    const token = decodeURIComponent(/^\/sidebar#token=(.+)$/.exec(ok.headers.location!)![1]!);
    expect((await profileOf(token)).body.me.name).to.equal('导购乙');
    const used = await api.raw().get(`/sidebar/oauth?code=${code}`);
    expect(used.headers.location).to.equal('/sidebar#error=signin');
  });

  it('signs config and agentConfig with the simulator’s corp and app tickets, for the URL without its fragment', async () => {
    const url = 'https://siyu.example/sidebar?x=1';
    const res = await api.get(`/api/sidebar/signature?url=${encodeURIComponent(`${url}#token=secret`)}`, h.org.tokens.staffA);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const app = `${SIM_CORP_ID}/${SIM_SECRET}`;
    const tickets = jsapiTicketsOf(h.sim.state);
    expect(res.body.corpId).to.equal(SIM_CORP_ID);
    expect(res.body.config.signature).to.equal(jsapiSignature({ ticket: tickets.current('corp', app)!, nonceStr: res.body.config.nonceStr, timestamp: res.body.config.timestamp, url }));
    expect(res.body.agentConfig.signature).to.equal(jsapiSignature({ ticket: tickets.current('agent', app)!, nonceStr: res.body.agentConfig.nonceStr, timestamp: res.body.agentConfig.timestamp, url }));
    expect((await api.get('/api/sidebar/signature?url=javascript:alert(1)', h.org.tokens.staffA)).status).to.equal(400);
  });

  it('returns the whole profile of a seeded customer in one answer', async () => {
    const res = await profileOf(h.org.tokens.staffA);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const p = res.body;
    expect(p.contact).to.include({ id: seed.contactId, externalUserId: SIDEBAR_CUSTOMER, name: '林小姐', lifecycle: 'customer', phone: '139****1111' });
    expect(p.me.name).to.equal('导购乙');
    expect(p.store).to.deep.equal({ id: h.org.stores.a, name: '上海一店', city: '上海' });
    expect(p.channels).to.deep.equal([{ kind: 'wecom', label: '企业微信 WeCom', detail: '导购乙（lc-poster）' }]);
    expect(p.follows).to.have.length(1);
    expect(p.follows[0]).to.include({ staffName: '导购乙', remark: '林姐', state: 'lc-poster', mine: true });
    expect(p.tags).to.deep.equal([{ tagId: seed.tags.vip, name: 'VIP', group: '客户等级' }]);
    expect(p.tagLibrary.map((g: { name: string }) => g.name)).to.have.members(['客户等级', '兴趣']);
    expect(p.touches.map((x: { status: string; sopName: string }) => `${x.sopName}:${x.status}`)).to.deep.equal(['新客七日关怀:scheduled', '新客七日关怀:sent']);
    expect(p.sops).to.have.length(1);
    expect(p.sops[0]).to.include({ sopId: 'sop-onboarding', name: '新客七日关怀', status: 'active', stepId: 'day3' });
    expect(p.experiments.map((x: { experimentId: string; arm: string }) => `${x.experimentId}=${x.arm}`)).to.have.members(['exp-welcome=b', 'exp-moments=holdout']);
    expect(p.notes.map((n: { text: string }) => n.text), 'only the caller’s store’s notes').to.deep.equal(['喜欢拿铁，周末到店']);
    const scenes = Object.fromEntries(p.quickReplies.map((s: { scene: string; items: { text: string }[] }) => [s.scene, s.items.map((i) => i.text)]));
    expect(scenes, 'chat templates only, grouped by scene, variables filled').to.deep.equal({
      售后: ['林小姐，上次购买的商品用得还好吗？'],
      欢迎语: ['林小姐，我是上海一店的导购乙，很高兴为您服务！'],
    });
  });

  it('lets HQ read every store’s notes and hides the customer from another store (404)', async () => {
    const hq = await profileOf(h.org.tokens.hq);
    expect(hq.body.notes.map((n: { text: string }) => n.text)).to.have.members(['喜欢拿铁，周末到店', '北京店的备注']);
    expect((await profileOf(h.org.tokens.staffB)).status).to.equal(404);
  });

  it('adds and removes tags, mirrored to WeCom with mark_tag as the staff member of the chat', async () => {
    h.sim.control.clearRequests();
    const res = await api.post('/api/sidebar/contact/tags', { externalUserId: SIDEBAR_CUSTOMER, add: [seed.tags.regular], remove: [seed.tags.vip] }, h.org.tokens.staffA);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ tagIds: [seed.tags.regular], added: [seed.tags.regular], removed: [seed.tags.vip], mirror: { status: 'mirrored', staffUserId: 'a2' } });
    expect(h.sim.control.requests('externalcontact/mark_tag').map((r) => r.body)).to.deep.equal([{ userid: 'a2', external_userid: SIDEBAR_CUSTOMER, add_tag: [seed.tags.regular], remove_tag: [seed.tags.vip] }]);
    expect(h.sim.state.follower('a2', SIDEBAR_CUSTOMER)!.tag_ids).to.deep.equal([seed.tags.regular]);
    const contact = await t.db.models.Contact.findById(seed.contactId).lean();
    expect(contact!.tagIds).to.deep.equal([seed.tags.regular]);
    const follow = await t.db.models.Follow.findOne({ contactId: seed.contactId, staffId: h.org.staff.a2 }).lean();
    expect(follow!.tagIds).to.deep.equal([seed.tags.regular]);
    const event = await t.db.models.Event.findOne({ contactId: seed.contactId, type: 'contact.tags_changed' }).lean();
    expect(event!.payload).to.deep.include({ added: [seed.tags.regular], removed: [seed.tags.vip], addedNames: ['普通'], via: 'sidebar' });
  });

  it('keeps a tag that exists only in Siyu local, without calling WeCom', async () => {
    h.sim.control.clearRequests();
    const res = await api.post('/api/sidebar/contact/tags', { externalUserId: SIDEBAR_CUSTOMER, add: [seed.tags.local] }, h.org.tokens.staffA);
    expect(res.body.mirror).to.deep.equal({ status: 'skipped' });
    expect(res.body.tagIds).to.include(seed.tags.local);
    expect(h.sim.control.requests('externalcontact/mark_tag')).to.have.length(0);
  });

  it('reports a WeCom refusal of mark_tag without losing the local change', async () => {
    h.sim.control.injectErrors('externalcontact/mark_tag', 84061);
    const res = await api.post('/api/sidebar/contact/tags', { externalUserId: SIDEBAR_CUSTOMER, add: [seed.tags.vip] }, h.org.tokens.staffA);
    expect(res.body.mirror).to.include({ status: 'failed', errcode: 84061 });
    expect(res.body.tagIds).to.include(seed.tags.vip);
  });

  it('stores a note under the author’s store and returns it in the profile', async () => {
    const res = await api.post('/api/sidebar/contact/notes', { externalUserId: SIDEBAR_CUSTOMER, text: '  想了解会员卡  ' }, h.org.tokens.staffA);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ text: '想了解会员卡', storeId: h.org.stores.a, staffId: h.org.staff.a2 });
    expect((await profileOf(h.org.tokens.staffA)).body.notes[0].text).to.equal('想了解会员卡');
    expect((await api.post('/api/sidebar/contact/notes', { externalUserId: SIDEBAR_CUSTOMER, text: '   ' }, h.org.tokens.staffA)).status).to.equal(400);
  });

  it('searches quick replies by words of the name, scene or text', async () => {
    const res = await api.get(`/api/sidebar/quick-replies?externalUserId=${SIDEBAR_CUSTOMER}&q=${encodeURIComponent('回访')}`, h.org.tokens.staffA);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.scenes).to.deep.equal([{ scene: '售后', items: [{ templateId: 'qr-aftersale', name: '售后回访', text: '林小姐，上次购买的商品用得还好吗？', attachments: 0 }] }]);
  });
});
