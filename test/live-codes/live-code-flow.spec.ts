/**
 * Live codes end to end: codes created against the WeCom simulator, customers scanning them, the add arriving as a
 * signed and encrypted callback, and the inbound processor running the live-code listener.
 */
import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import type { LiveCodeDto } from '../../server/live-codes/live-code.repository.ts';
import { assignVariant } from '../../server/shared/variant.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';

const WELCOME_TEXT = '{{contact.name|朋友}}您好，我是{{store.name}}的{{staff.name}}，欢迎光临！';

describe('live codes: create, scan, welcome, tags, attribution', () => {
  const t = useTestDatabase('live_code_flow');
  let h: ChannelHarness;
  let api: ReturnType<typeof http>;
  let tagId: string;
  const scope = () => ({ corpId: SIM_CORP_ID, storeIds: null });
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  const nowS = () => Math.floor(Date.now() / 1000);
  const welcomes = () => t.db.models.LiveCodeWelcome.find({}).lean();

  /** The customer adds `userid` with `state`; WeCom pushes add_external_contact with a fresh welcome code. */
  async function add(opts: { userid: string; externalUserId?: string; name?: string; state?: string; createTime?: number; welcome?: boolean; half?: boolean }) {
    const externalUserId = opts.externalUserId ?? h.sim.control.addCustomer({ name: opts.name ?? '客户', follow_user: [{ userid: opts.userid, add_way: 1, ...(opts.state ? { state: opts.state } : {}) }] }).external_userid;
    const welcomeCode = opts.welcome === false ? undefined : h.sim.control.issueWelcomeCode(opts.userid, externalUserId);
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: opts.half ? 'add_half_external_contact' : 'add_external_contact', userId: opts.userid, externalUserId, createTime: opts.createTime ?? nowS(), ...(opts.state ? { state: opts.state } : {}), ...(welcomeCode ? { welcomeCode } : {}) });
    expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    await h.processor.drain();
    const contact = await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${externalUserId}` }).lean();
    return { externalUserId, welcomeCode, contactId: String(contact!._id) };
  }

  async function createCode(body: Record<string, unknown>): Promise<LiveCodeDto> {
    const res = await api.post('/api/live-codes', body, h.org.tokens.hq);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as LiveCodeDto;
  }

  before(async () => {
    h = await startChannelHarness(t.db);
    api = http(h.services);
    const group = h.sim.control.addTagGroup('渠道', ['春季海报']);
    tagId = group.tag[0]!.id;
    await h.services.tags.mirror(SIM_CORP_ID, [{ groupId: group.group_id, name: '渠道', order: 0, tags: [{ tagId, name: '春季海报', order: 0 }] }]);
    await h.services.content.importPublished(scope(), [{ templateId: 'tpl-welcome', name: '欢迎语', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: WELCOME_TEXT, attachments: [] }], 'test');
  });
  after(async () => h.stop());

  let poster: LiveCodeDto;

  it('creates a code as a WeCom contact way with a unique lc: state and returns id, state and qrCode', async () => {
    poster = await createCode({ name: '春季海报', channel: 'poster', staffIds: [h.org.staff.a2], tagIds: [tagId], welcomeTemplateId: 'tpl-welcome' });
    expect(poster.state).to.match(/^lc:[a-z2-9]{10}$/);
    expect(poster.id).to.match(/^[0-9a-f]{24}$/);
    expect(poster.welcome).to.deep.equal({ templateId: 'tpl-welcome', version: 1, experimentId: null, variants: [] });
    const way = h.sim.state.contactWays.get(poster.configId)!;
    expect(way.body).to.include({ type: 2, scene: 2, state: poster.state });
    expect(way.body.user).to.deep.equal(['a2']);
    expect(poster.qrCode).to.equal(`https://wework.qpic.cn/wwpic/sim_${poster.configId}/0`);
    const other = await createCode({ name: '另一张海报', channel: 'poster', staffIds: [h.org.staff.a2] });
    expect(other.state).to.not.equal(poster.state);
  });

  it('refuses an unpublished welcome template, unknown tags and store-level callers', async () => {
    h.sim.control.injectErrors('externalcontact/add_contact_way', 41045);
    const limit = await api.post('/api/live-codes', { name: 'x', channel: 'poster', staffIds: [h.org.staff.a2] }, h.org.tokens.hq);
    expect(limit.status, JSON.stringify(limit.body)).to.equal(400);
    expect(JSON.stringify(limit.body.error)).to.include('41045');
    expect((await api.post('/api/live-codes', { name: 'x', channel: 'poster', staffIds: [h.org.staff.a2], welcomeTemplateId: 'tpl-none' }, h.org.tokens.hq)).status).to.equal(400);
    expect((await api.post('/api/live-codes', { name: 'x', channel: 'poster', staffIds: [h.org.staff.a2], tagIds: ['etNOPE'] }, h.org.tokens.hq)).status).to.equal(400);
    expect((await api.post('/api/live-codes', { name: 'x', channel: 'poster', staffIds: [h.org.staff.a2] }, h.org.tokens.managerA)).status).to.equal(403);
  });

  let first: Awaited<ReturnType<typeof add>>;

  it('on an add with the state: sends the rendered welcome once, applies the tags here and in WeCom, attributes the contact', async () => {
    const sendsBefore = h.sim.state.welcomeSends.length;
    first = await add({ userid: 'a2', name: '张小姐', state: poster.state });
    const sends = h.sim.state.welcomeSends.slice(sendsBefore);
    expect(sends).to.have.length(1);
    expect(sends[0]!.welcome_code).to.equal(first.welcomeCode);
    expect((sends[0]!.body as { text: { content: string } }).text.content).to.equal('张小姐您好，我是上海一店的导购乙，欢迎光临！');
    const row = (await welcomes()).find((w) => w.welcomeCode === first.welcomeCode)!;
    expect(row).to.include({ status: 'sent', liveCodeId: poster.id, contactId: first.contactId });
    expect(row.latencyMs).to.be.lessThan(20_000);

    const contact = await t.db.models.Contact.findById(first.contactId).lean();
    expect(contact!.tagIds).to.include(tagId);
    const simFollow = h.sim.state.customers.get(first.externalUserId)!.follow_user.find((f) => f.userid === 'a2')!;
    expect(simFollow.tag_ids).to.include(tagId);

    const adds = await t.db.models.LiveCodeAdd.find({ contactId: first.contactId }).lean();
    expect(adds).to.have.length(1);
    expect(adds[0]).to.include({ liveCodeId: poster.id, channel: 'poster', resolvedBy: 'state', reAdd: false, staffUserId: 'a2', storeId: h.org.stores.a });
    const event = await t.db.models.Event.findOne({ corpId: SIM_CORP_ID, type: 'friend_added', contactId: first.contactId }).lean();
    expect((event!.payload as { state: string }).state, 'SOP triggers see the state').to.equal(poster.state);
  });

  it('processing the same add again sends nothing and counts nothing twice', async () => {
    const sends = h.sim.state.welcomeSends.length;
    const markTags = h.sim.control.requests('externalcontact/mark_tag').length;
    const row = await t.db.models.InboundRaw.findOne({ plaintext: { $regex: first.welcomeCode! } });
    await t.db.models.InboundRaw.updateOne({ _id: row!._id }, { $set: { status: 'pending', nextAttemptAt: new Date(0) } });
    expect(await h.processor.drain()).to.equal(1);
    expect(h.sim.state.welcomeSends.length).to.equal(sends);
    expect(h.sim.control.requests('externalcontact/send_welcome_msg').filter((r) => (r.body as { welcome_code?: string }).welcome_code === first.welcomeCode)).to.have.length(1);
    expect(h.sim.control.requests('externalcontact/mark_tag').length).to.equal(markTags);
    expect(await t.db.models.LiveCodeAdd.countDocuments({ contactId: first.contactId })).to.equal(1);
    expect(await t.db.models.LiveCodeWelcome.countDocuments({ welcomeCode: first.welcomeCode })).to.equal(1);
  });

  it('records a missed window without calling WeCom when the add is processed more than 20 s after it happened', async () => {
    const calls = h.sim.control.requests('externalcontact/send_welcome_msg').length;
    const createTime = nowS() - 25;
    const late = await add({ userid: 'a2', name: '迟到的客户', state: poster.state, createTime });
    expect(h.sim.control.requests('externalcontact/send_welcome_msg').length).to.equal(calls);
    const row = (await welcomes()).find((w) => w.welcomeCode === late.welcomeCode)!;
    expect(row).to.include({ status: 'missed', reason: 'window_passed' });
    expect(row.deadline.getTime()).to.equal(createTime * 1000 + 19_000);
    expect((await t.db.models.Contact.findById(late.contactId).lean())!.tagIds, 'tags still applied').to.include(tagId);
    expect(await t.db.models.LiveCodeAdd.countDocuments({ contactId: late.contactId })).to.equal(1);
  });

  it('records 41051 (already chatting) with its errcode and never retries it', async () => {
    h.sim.control.injectErrors('externalcontact/send_welcome_msg', 41051);
    const refused = await add({ userid: 'a2', name: '已聊过', state: poster.state });
    const row = (await welcomes()).find((w) => w.welcomeCode === refused.welcomeCode)!;
    expect(row).to.include({ status: 'failed', errcode: 41051 });
    const raw = await t.db.models.InboundRaw.findOne({ plaintext: { $regex: refused.welcomeCode! } });
    expect(raw!.status, 'the add itself is processed').to.equal('processed');
    await t.db.models.InboundRaw.updateOne({ _id: raw!._id }, { $set: { status: 'pending', nextAttemptAt: new Date(0) } });
    await h.processor.drain();
    expect(h.sim.control.requests('externalcontact/send_welcome_msg').filter((r) => (r.body as { welcome_code?: string }).welcome_code === refused.welcomeCode)).to.have.length(1);
  });

  it('a re-add after deleting keeps the attribution, counts a re-add and sends no second welcome', async () => {
    const del = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'del_follow_user', userId: 'a2', externalUserId: first.externalUserId, createTime: nowS() });
    await deliverCallback({ ...target(), xml: del });
    await h.processor.drain();
    const sends = h.sim.state.welcomeSends.length;
    const again = await add({ userid: 'a2', externalUserId: first.externalUserId, state: poster.state, createTime: nowS() + 1 });
    expect(again.contactId).to.equal(first.contactId);
    expect(h.sim.state.welcomeSends.length).to.equal(sends);
    expect((await welcomes()).find((w) => w.welcomeCode === again.welcomeCode)).to.include({ status: 'skipped', reason: 'readd' });
    const adds = await t.db.models.LiveCodeAdd.find({ contactId: first.contactId }).sort({ addedAt: 1 }).lean();
    expect(adds.map((a) => [a.liveCodeId, a.reAdd])).to.deep.equal([
      [poster.id, false],
      [poster.id, true],
    ]);
  });

  it('counts a 免验证 half add and its confirmation as one add, welcomed once', async () => {
    const sends = h.sim.state.welcomeSends.length;
    const half = await add({ userid: 'a2', name: '半添加', state: poster.state, half: true });
    expect(h.sim.state.welcomeSends.length).to.equal(sends + 1);
    const tagCalls = h.sim.control.requests('externalcontact/mark_tag').length;
    await add({ userid: 'a2', externalUserId: half.externalUserId, state: poster.state, welcome: false, createTime: nowS() + 2 });
    const rows = await t.db.models.LiveCodeAdd.find({ contactId: half.contactId }).sort({ addedAt: 1 }).lean();
    expect(rows.map((r) => [r.half, r.reAdd, r.confirmsHalf])).to.deep.equal([
      [true, false, false],
      [false, false, true],
    ]);
    expect(h.sim.control.requests('externalcontact/mark_tag').length, 'tags once').to.equal(tagCalls);
  });

  it('falls back: a rewritten state by its embedded token, a missing state by the staff member’s default code, a foreign state not at all', async () => {
    const own = await createCode({ name: '导购丙的码', channel: 'staff', staffIds: [h.org.staff.b1], staffDefault: true });
    const rewritten = await add({ userid: 'a2', state: `wx_${poster.state}_1` });
    const missing = await add({ userid: 'b1', welcome: false });
    const foreign = await add({ userid: 'b1', state: 'c:spring:b1', welcome: false });
    const by = async (contactId: string) => (await t.db.models.LiveCodeAdd.findOne({ contactId }).lean())?.resolvedBy ?? null;
    expect(await by(rewritten.contactId)).to.equal('state_prefix');
    expect(await by(missing.contactId)).to.equal('staff_default');
    expect((await t.db.models.LiveCodeAdd.findOne({ contactId: missing.contactId }).lean())!.liveCodeId).to.equal(own.id);
    expect(await by(foreign.contactId)).to.equal(null);
  });

  it('A/B welcome variants: each add draws an arm deterministically, gets that text, and becomes a unit of the experiment', async () => {
    await h.services.content.importPublished(scope(), [{ templateId: 'tpl-welcome-b', name: '欢迎语 B', scene: 'welcome', tags: [], channels: ['wecom_1to1'], text: 'B：{{contact.name|朋友}}，送您一张券', attachments: [] }], 'test');
    const ab = await createCode({ name: 'AB 海报', channel: 'poster', staffIds: [h.org.staff.a1], welcomeVariants: [{ id: 'story', templateId: 'tpl-welcome', weight: 50 }, { id: 'coupon', templateId: 'tpl-welcome-b', weight: 50 }] });
    const experimentId = ab.welcome!.experimentId!;
    expect(experimentId).to.equal(`welcome-${ab.state.slice(3)}`);
    const experiment = await h.services.experiments.get(SIM_CORP_ID, experimentId);
    expect(experiment.goals).to.deep.equal(['reply']);
    expect(experiment.name, 'named by the code, not its state').to.equal('AB 海报 · 欢迎语');
    expect(experiment.arms.map((a) => a.id)).to.deep.equal(['story', 'coupon']);
    const arms = new Map<string, string>();
    for (let i = 0; i < 6; i++) {
      const before = h.sim.state.welcomeSends.length;
      const r = await add({ userid: 'a1', name: `AB${i}`, state: ab.state });
      const expected = assignVariant(experimentId, r.contactId, ab.welcome!.variants).id;
      const row = (await welcomes()).find((w) => w.welcomeCode === r.welcomeCode)!;
      expect(row).to.include({ status: 'sent', variant: expected });
      const text = (h.sim.state.welcomeSends[before]!.body as { text: { content: string } }).text.content;
      expect(text.startsWith('B：'), text).to.equal(expected === 'coupon');
      arms.set(r.contactId, expected);
    }
    const units = await t.db.models.ExperimentAssignment.find({ corpId: SIM_CORP_ID, experimentId }).lean();
    expect(new Map(units.map((u) => [u.contactId, u.arm]))).to.deep.equal(arms);
    const results = await h.services.experiments.results(scope(), experiment);
    expect(results.metrics[0]!.arms.reduce((n, a) => n + a.users, 0)).to.equal(6);
  });

  it('edits a code in place: update_contact_way with the new members, same config, QR and state', async () => {
    const adds = h.sim.control.requests('externalcontact/add_contact_way').length;
    const res = await api.patch(`/api/live-codes/${poster.id}`, { staffIds: [h.org.staff.a1, h.org.staff.a2], name: '春季海报（改）' }, h.org.tokens.hq);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ configId: poster.configId, qrCode: poster.qrCode, state: poster.state, name: '春季海报（改）' });
    expect(res.body.activeUserIds).to.deep.equal(['a1', 'a2']);
    expect(h.sim.control.requests('externalcontact/add_contact_way').length).to.equal(adds);
    expect(h.sim.control.requests('externalcontact/update_contact_way').at(-1)!.body).to.deep.include({ config_id: poster.configId, user: ['a1', 'a2'] });
    expect(h.sim.state.contactWays.get(poster.configId)!.body.user).to.deep.equal(['a1', 'a2']);
  });

  it('falls back when members are over the daily add limit', async () => {
    const limited = await createCode({ name: '活动码', channel: 'event', staffIds: [h.org.staff.a1], fallbackStaffIds: [h.org.staff.a2], dailyAddLimit: 1 });
    expect(limited.activeUserIds).to.deep.equal(['a1']);
    await add({ userid: 'a1', state: limited.state, welcome: false });
    const after = (await api.get(`/api/live-codes/${limited.id}`, h.org.tokens.hq)).body as LiveCodeDto;
    expect(after.activeUserIds).to.deep.equal(['a2']);
    expect(h.sim.state.contactWays.get(limited.configId)!.body.user).to.deep.equal(['a2']);
  });

  it('store codes rotate through the store’s staff, one member per add', async () => {
    const res = await api.post('/api/live-codes/store-codes', {}, h.org.tokens.hq);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.created).to.have.length(2);
    const storeA = (res.body.created as LiveCodeDto[]).find((c) => c.storeId === h.org.stores.a)!;
    expect(storeA).to.include({ channel: 'store', mode: 'rotate' });
    const shown: string[] = [];
    for (let i = 0; i < 3; i++) {
      const user = (h.sim.state.contactWays.get(storeA.configId)!.body.user as string[])[0]!;
      shown.push(user);
      await add({ userid: user, state: storeA.state, welcome: false });
    }
    expect(shown).to.deep.equal(['a1', 'a2', 'a1']);
    expect(h.sim.state.contactWays.get(storeA.configId)!.body.type).to.equal(1);
    const again = await api.post('/api/live-codes/store-codes', {}, h.org.tokens.hq);
    expect(again.body.created).to.have.length(0);
    expect(again.body.existing).to.have.length(2);
  });

  it('disables a code with del_contact_way and keeps its history', async () => {
    const res = await api.post(`/api/live-codes/${poster.id}/disable`, {}, h.org.tokens.hq);
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('disabled');
    expect(h.sim.state.contactWays.has(poster.configId)).to.equal(false);
    expect(h.sim.control.requests('externalcontact/del_contact_way').at(-1)!.body).to.deep.equal({ config_id: poster.configId });
    expect(await t.db.models.LiveCodeAdd.countDocuments({ liveCodeId: poster.id })).to.be.greaterThan(0);
    expect((await api.patch(`/api/live-codes/${poster.id}`, { name: 'x' }, h.org.tokens.hq)).status).to.equal(409);
  });
});
