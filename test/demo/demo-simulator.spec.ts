/**
 * The demo as `npm start` boots it (boot() with SIYU_DEMO): the WeCom simulator it starts must know the seeded
 * customers, their relations, tags and group chats, so what the demo does succeeds or fails for WeCom's
 * documented reasons only — not with 41048 / 40096 because the simulator was never told about the seed.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { boot, type Running } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { testMongoUri, useTestDatabase } from '../support/database.ts';

const KEYS = { SIYU_PHONE_KEY: 'ab'.repeat(32), SIYU_HASH_KEY: 'cd'.repeat(32) };
const TOKEN = 'demo-simulator-admin-token';
const silent = pino({ level: 'silent' });

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the demo against its own WeCom simulator', function () {
  this.timeout(120_000);
  const t = useTestDatabase('demo_sim');
  let running: Running;
  let dataDir: string;
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${running.url}${url}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  let env: Record<string, string>;
  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'siyu-demo-sim-'));
    env = { ...KEYS, MONGODB_URI: testMongoUri(), MONGODB_DB: t.name, PORT: '0', HOST: '127.0.0.1', SIYU_DEMO: 'true', SIYU_DEMO_ACTIVITY_MS: '3600000', SIYU_ADMIN_TOKEN: TOKEN, SIYU_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    running = await boot(loadConfig(env), { logger: silent });
  });

  after(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the touches of the audience SOP the demo enabled to seeded customers (daytime store), none refused with 41048', async () => {
    const sent = await until('a sent dormant-30d-winback touch', async () => t.db.models.Touch.findOne({ sopId: 'dormant-30d-winback', status: 'sent' }).lean());
    const contact = await t.db.models.Contact.findById(sent.contactId).lean();
    expect(contact?.externalUserId, 'a seeded customer').to.match(/^wmDemo/);
    const refused = await t.db.models.Touch.countDocuments({ sopId: 'dormant-30d-winback', 'error.errcode': { $in: [41048, 40096, 84061] } });
    expect(refused, 'touches WeCom refused because it did not know the customer').to.equal(0);
    const experiment = await t.db.models.Experiment.findOne({ 'source.sopId': 'dormant-30d-winback' }).lean();
    expect(experiment, 'the A/B step is on /experiments from the start').to.not.equal(null);
    const res = await api('GET', `/api/experiments/${encodeURIComponent(experiment!.experimentId)}?corpId=${experiment!.corpId}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(JSON.stringify(res.body), 'arms counted from the sent touches').to.match(/"users":[1-9]/);
  });

  it('sends a group message to a seeded group chat of its owner', async () => {
    const chat = (await t.db.models.CustomerGroup.findOne({ chatId: /^wrDemoChat/ }).lean())!;
    const account = (await running.services.channelAccounts.listForCorp(chat.corpId)).find((a) => a.kind === 'wecom')!;
    const result = await running.services.adapterFor(account).send({ clientId: 'demo-group-send-1', sender: chat.ownerUserId, to: [{ type: 'group', id: chat.chatId }], text: '本周鲜奶福利：会员日 9 折' });
    expect(result, JSON.stringify(result)).to.deep.include({ ok: true });
  });

  it('hands over every customer of one staff member on the job (在职继承) without a WeCom refusal', async () => {
    const staff = await t.db.models.Staff.find({ userId: { $in: ['demo.staff04', 'demo.staff01'] } }).lean();
    const from = staff.find((s) => s.userId === 'demo.staff04')!;
    const to = staff.find((s) => s.userId === 'demo.staff01')!;
    const customers = await t.db.models.Follow.countDocuments({ staffId: String(from._id), deletedAt: null });
    expect(customers, 'the seeded staff member has customers').to.be.greaterThan(100);
    const res = await api('POST', `/api/handovers?corpId=${from.corpId}`, { kind: 'on_job', fromStaffId: String(from._id), toStaffId: String(to._id) });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const counts = res.body.counts as { total: number; waiting: number; failed: number; byReason: Record<string, number> };
    expect(counts.failed, JSON.stringify(counts.byReason)).to.equal(0);
    expect(counts.waiting).to.equal(customers);
  });

  it('brings new friends through the demo store codes: the add carries a live code state, the code counts it, and new-friend-onboarding enrolls them', async () => {
    const codes = await t.db.models.LiveCode.find({ channel: 'store', status: 'active' }).lean();
    expect(codes, 'one store code per demo store').to.have.length(4);
    const store = (await t.db.models.Store.findOne({ code: 'GL-DAY01' }).lean())!;
    const code = codes.find((c) => c.storeId === String(store._id))!;
    const campaignStates = (await t.db.models.CampaignContactWay.find({}).lean()).map((w) => w.state);
    const friend = await running.demo!.newFriend(`${running.url}/callbacks/wecom`);
    expect([...codes.map((c) => c.state), ...campaignStates], 'a random new friend scans a store code or a campaign code').to.include(friend.state);
    const scanned = await running.demo!.newFriend(`${running.url}/callbacks/wecom`, { configId: code.configId });
    expect(scanned.state).to.equal(code.state);
    const contact = await until('the new friend', async () => t.db.models.Contact.findOne({ externalUserId: scanned.externalUserId }).lean());
    const add = await until('the add counted on the daytime store code', async () => t.db.models.LiveCodeAdd.findOne({ contactId: String(contact._id) }).lean());
    expect(add.liveCodeId).to.equal(String(code._id));
    await until('the welcome sent through the simulator', async () => running.demo!.simulator.state.welcomeSends.find((w) => w.external_userid === scanned.externalUserId));
    await until('a new friend in new-friend-onboarding', async () => t.db.models.Enrollment.findOne({ sopId: 'new-friend-onboarding', contactId: String(contact._id) }).lean());
  });

  it('runs an add-friend campaign whose codes the simulated new friends scan, so its funnel moves', async () => {
    const campaign = (await t.db.models.Campaign.findOne({}).lean())!;
    expect(campaign, 'the demo campaign').to.not.equal(undefined);
    expect(campaign.status).to.equal('running');
    const ways = await t.db.models.CampaignContactWay.find({ campaignId: String(campaign._id) }).lean();
    expect(ways, 'one code per campaign staff member').to.have.length(3);
    for (const w of ways) expect(running.demo!.simulator.state.contactWays.get(w.configId!)?.body.state, 'the code exists in WeCom').to.equal(w.state);
    const before = await api('GET', `/api/campaigns/${String(campaign._id)}/funnel?corpId=${campaign.corpId}`);
    expect(before.status, JSON.stringify(before.body)).to.equal(200);
    const acceptedBefore = (before.body.totals as { accepted: number }).accepted;
    // The activity picks among every 「联系我」 config, so some of its new friends scan the campaign's codes.
    const seen = new Set<string | null>();
    for (let i = 0; i < 40 && !ways.some((w) => seen.has(w.state)); i++) seen.add((await running.demo!.newFriend(`${running.url}/callbacks/wecom`)).state);
    expect(ways.some((w) => seen.has(w.state)), 'a random new friend scanned a campaign code').to.equal(true);
    const friend = await running.demo!.newFriend(`${running.url}/callbacks/wecom`, { configId: ways[1]!.configId! });
    const contact = await until('the new friend', async () => t.db.models.Contact.findOne({ externalUserId: friend.externalUserId }).lean());
    await until('the scan counted as an accepted lead', async () => t.db.models.Lead.findOne({ campaignId: String(campaign._id), contactId: String(contact._id), origin: 'scan', acceptedAt: { $ne: null } }).lean());
    const after = await api('GET', `/api/campaigns/${String(campaign._id)}/funnel?corpId=${campaign.corpId}`);
    expect((after.body.totals as { accepted: number }).accepted, 'the funnel moved').to.be.greaterThan(acceptedBefore);
  });

  it('has a 微信客服 account whose simulated customers get the greeting menu, bot answers and a waiting pool', async () => {
    const url = `${running.url}/callbacks/wecom`;
    const demo = running.demo!;
    const asker = await demo.kfEnter(url, 'wmDemoKfAsker01');
    await until('the greeting menu', async () => (demo.simulator.state.kf.conversations.get(asker.externalUserId)?.menuItems?.size ?? 0) > 0);
    await demo.kfAsk(url, asker.externalUserId, { text: '你们送奶一般几点到啊' });
    const clicker = await demo.kfEnter(url, 'wmDemoKfClicker1');
    await until('the greeting menu', async () => (demo.simulator.state.kf.conversations.get(clicker.externalUserId)?.menuItems?.size ?? 0) > 0);
    const click = await demo.kfAsk(url, clicker.externalUserId, { click: true });
    expect(click.menuId, 'a tap on the menu').to.be.a('string');
    const stranger = await demo.kfEnter(url, 'wmDemoKfUnknown1');
    await demo.kfAsk(url, stranger.externalUserId, { text: '你们招聘兼职吗' });
    const answered = await until('the known question answered by the bot', async () => t.db.models.KfSession.findOne({ externalUserId: asker.externalUserId, botAnswers: { $gt: 0 } }).lean());
    expect(answered.openKfId).to.equal('wkDEMOKF00001');
    // That question's entry is the demo's answer A/B test: the asker is one of its units, and /experiments lists it.
    const experiments = await api('GET', `/api/experiments?corpId=${answered.corpId}`);
    expect(experiments.status, JSON.stringify(experiments.body)).to.equal(200);
    const abTest = (experiments.body.items as { name: string; armUnits: { units: number }[] }[]).find((i) => i.name === '知识库：每天几点送奶？');
    expect(abTest?.armUnits.reduce((n, a) => n + a.units, 0), 'units of the answer A/B test').to.be.at.least(1);
    await until('the menu tap answered', async () => t.db.models.KfSession.findOne({ externalUserId: clicker.externalUserId, suggestionClicks: { $gt: 0 } }).lean());
    await until('the unknown question in the waiting pool', async () => t.db.models.KfSession.findOne({ externalUserId: stranger.externalUserId, state: 2 }).lean());
    const desk = await api('GET', `/api/kf/desk?corpId=${answered.corpId}`);
    expect(desk.status, JSON.stringify(desk.body)).to.equal(200);
    expect(JSON.stringify(desk.body.pool), 'the pool on /service').to.include(stranger.externalUserId);
    // The activity plays visits by itself: customers enter and ask (or tap) until sessions pile up.
    const played: string[] = [];
    for (let i = 0; i < 30; i++) played.push(await demo.step(url));
    expect(played, 'the activity played kf visits').to.include('kf customer entered');
    const ours = [asker.externalUserId, clicker.externalUserId, stranger.externalUserId];
    await until('sessions from the activity', async () => (await t.db.models.KfSession.find({}).select('externalUserId').lean()).some((x) => !ours.includes(x.externalUserId)));
  });

  it('after a restart, the new simulator knows the same customers and store codes, and the demo enables nothing again', async () => {
    const enabledBefore = await t.db.models.Sop.find({ status: 'enabled' }).select('sopId').lean();
    await running.stop();
    await t.db.models.Sop.updateOne({ sopId: 'weekly-moments-calendar' }, { $set: { status: 'paused' } });
    running = await boot(loadConfig(env), { logger: silent });
    const sim = running.demo!.simulator;
    const codes = await t.db.models.LiveCode.find({}).lean();
    expect(codes, 'no second set of store codes').to.have.length(4);
    for (const c of codes) expect(sim.state.contactWays.get(c.configId)?.body.state, c.name).to.equal(c.state);
    const campaignWays = await t.db.models.CampaignContactWay.find({}).lean();
    expect(campaignWays, 'no second set of campaign codes').to.have.length(3);
    for (const w of campaignWays) expect(sim.state.contactWays.get(w.configId!)?.body.state, w.state).to.equal(w.state);
    const seeded = await t.db.models.Contact.countDocuments({ externalUserId: /^wmDemo/ });
    expect([...sim.state.customers.keys()].filter((id) => id.startsWith('wmDemo'))).to.have.length(seeded);
    expect((await t.db.models.Sop.findOne({ sopId: 'weekly-moments-calendar' }).lean())!.status, 'a paused SOP stays paused').to.equal('paused');
    expect(await t.db.models.Sop.countDocuments({ status: 'enabled' })).to.equal(enabledBefore.length - 1);
    const friend = await running.demo!.newFriend(`${running.url}/callbacks/wecom`);
    expect([...codes, ...campaignWays].map((c) => c.state)).to.include(friend.state);
    expect(sim.state.contactWays.size, 'no contact way minted over a restored one').to.equal(4 + 3);
    // A campaign code restored from the database still brings its scans into the campaign.
    const way = campaignWays[0]!;
    const scanned = await running.demo!.newFriend(`${running.url}/callbacks/wecom`, { configId: way.configId! });
    expect(scanned.state).to.equal(way.state);
    const contact = await until('the scanning friend', async () => t.db.models.Contact.findOne({ externalUserId: scanned.externalUserId }).lean());
    await until('their campaign lead', async () => t.db.models.Lead.findOne({ campaignId: way.campaignId, contactId: String(contact._id), origin: 'scan' }).lean());
  });
});
