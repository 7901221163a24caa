/**
 * Add-friend campaigns end to end over HTTP and the WeCom simulator: create and start a campaign, upload leads,
 * assign them, staff actions from the phone API, then customers adding staff through signed callbacks —
 * attributed by state, by the phone in the remark and by the contact's phone, counted once when the same
 * customer adds two staff members — and the funnel and greeting experiment that follow.
 */
import { expect } from 'chai';
import { deliverCallback } from '../../adapters/wecom/simulator/callback-driver.ts';
import { externalContactEvent } from '../../adapters/wecom/simulator/callback-events.ts';
import { SIM_CORP_ID } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { CALLBACK_AES_KEY, CALLBACK_TOKEN, startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http } from '../support/test-app.ts';

const PHONES = { state: '13811110001', remark: '13811110002', phone: '13811110003', twice: '13811110004', never: '13811110005' };

describe('add-friend campaign flow', () => {
  const t = useTestDatabase('campaign_flow');
  let h: ChannelHarness;
  let api: ReturnType<typeof http>;
  let campaignId: string;
  const target = () => ({ url: `${h.baseUrl}/callbacks/wecom`, token: CALLBACK_TOKEN, encodingAESKey: CALLBACK_AES_KEY, corpId: SIM_CORP_ID, retryDelayMs: 0 });
  const lead = (phone: string) => t.db.models.Lead.findOne({ campaignId, phoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}` }).lean();

  async function add(userid: string, externalUserId: string, state?: string) {
    // CreateTime has whole seconds; the add is put 2 s ahead so it is never before the assignment made this same second.
    const xml = externalContactEvent({ corpId: SIM_CORP_ID, changeType: 'add_external_contact', userId: userid, externalUserId, createTime: Math.floor(Date.now() / 1000) + 2, ...(state ? { state } : {}) });
    expect((await deliverCallback({ ...target(), xml })).delivered).to.equal(true);
    await h.processor.drain();
    return (await t.db.models.Contact.findOne({ corpId: SIM_CORP_ID, identityKeys: `wecom:${externalUserId}` }).lean())!;
  }

  before(async () => {
    h = await startChannelHarness(t.db);
    api = http(h.services);
  });
  after(async () => h.stop());

  it('creates a campaign with two greetings (an experiment), refuses store roles, and starts it', async () => {
    const body = {
      name: '双十二老客加粉',
      storeIds: [h.org.stores.a],
      greetings: [
        { id: 'warm', text: '您好，我是上海一店的导购，给您发会员福利～' },
        { id: 'short', text: '您好，会员专属福利' },
      ],
      dailyQuota: 10,
      // The harness clock is real time: working hours cover the whole day so the test runs at any hour.
      workingHours: { start: '00:00', end: '24:00' },
      costs: { fixed: 100, perLead: 0.5, perRequest: 1 },
    };
    expect((await api.post('/api/campaigns', body, h.org.tokens.managerA)).status).to.equal(403);
    expect((await api.post('/api/campaigns', { ...body, dailyQuota: 0 }, h.org.tokens.hq)).status).to.equal(400);
    const res = await api.post('/api/campaigns', body, h.org.tokens.hq);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ name: '双十二老客加粉', status: 'draft', dailyQuota: 10, strategy: 'affinity_round_robin' });
    expect(res.body.id).to.match(/^[0-9a-f]{24}$/);
    expect(res.body.experimentId).to.equal(`campaign-${res.body.id}-greeting`);
    campaignId = res.body.id;
    const experiment = await h.services.experiments.get(SIM_CORP_ID, res.body.experimentId);
    expect(experiment.source.campaignId).to.equal(campaignId);
    expect(experiment.arms.map((a) => a.id)).to.deep.equal(['warm', 'short']);
    expect(experiment.goals).to.deep.equal(['friend_added']);
    expect((await api.post(`/api/campaigns/${campaignId}/start`, {}, h.org.tokens.hq)).body.status).to.equal('running');
    expect((await api.post(`/api/campaigns/${campaignId}/start`, {}, h.org.tokens.hq)).status).to.equal(409);
  });

  it('imports a CSV upload and reports bad rows by line', async () => {
    const csv = ['手机号,姓名,门店,来源', ...Object.entries(PHONES).map(([k, p]) => `${p},${k},SH01,orders`), 'notaphone,坏,,orders', `${PHONES.state},重复,,orders`].join('\n');
    const res = await api.raw().post(`/api/campaigns/${campaignId}/leads/import`).set('Authorization', `Bearer ${h.org.tokens.hq}`).attach('file', Buffer.from(csv), 'leads.csv');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ rows: 7, imported: 5, duplicates: 1, invalid: 1, errors: [{ line: 7, reason: res.body.errors[0].reason }] });
    const again = await api.raw().post(`/api/campaigns/${campaignId}/leads/import`).set('Authorization', `Bearer ${h.org.tokens.hq}`).attach('file', Buffer.from(csv), 'leads.csv');
    expect(again.body).to.include({ imported: 0, duplicates: 6 });
    const json = await api.post(`/api/campaigns/${campaignId}/leads/import`, { file: 'x' }, h.org.tokens.hq);
    expect(json.status).to.equal(415);
    const noPhone = await api.raw().post(`/api/campaigns/${campaignId}/leads/import`).set('Authorization', `Bearer ${h.org.tokens.hq}`).attach('file', Buffer.from('name,city\n林,上海\n'), 'x.csv');
    expect(noPhone.status).to.equal(400);
    expect(noPhone.body.error.message).to.match(/no phone column/);
    const noFile = await api.raw().post(`/api/campaigns/${campaignId}/leads/import`).set('Authorization', `Bearer ${h.org.tokens.hq}`).field('note', 'x');
    expect(noFile.status).to.equal(400);
    const marketerOtherCorp = await api.raw().post(`/api/campaigns/${campaignId}/leads/import`).set('Authorization', `Bearer ${h.org.tokens.otherCorp}`).attach('file', Buffer.from(csv), 'leads.csv');
    expect(marketerOtherCorp.status, 'another corp’s token').to.equal(404);
  });

  it('assigns leads to store A staff and shows a staff member only their own, with greeting and masked phone', async () => {
    const assigned = await api.post(`/api/campaigns/${campaignId}/assign`, {}, h.org.tokens.hq);
    expect(assigned.body).to.include({ assigned: 5 });
    // Round-robin over a1 and a2 (store affinity: every lead names SH01).
    const mine = await api.get('/api/me/leads', h.org.tokens.staffA);
    expect(mine.status).to.equal(200);
    const a2Leads = await t.db.models.Lead.countDocuments({ campaignId, staffId: h.org.staff.a2 });
    expect(mine.body.items).to.have.length(a2Leads);
    expect(a2Leads).to.be.within(2, 3);
    const item = mine.body.items[0];
    expect(item.phoneMasked).to.match(/^138\*{4}\d{4}$/);
    expect(item).to.not.have.property('phoneEnc');
    expect(['您好，我是上海一店的导购，给您发会员福利～', '您好，会员专属福利']).to.include(item.greetingText);
    expect(item.campaign).to.include({ id: campaignId, name: '双十二老客加粉' });
    const phone = await api.get(`/api/me/leads/${item.id}/phone`, h.org.tokens.staffA);
    expect(phone.body.phone).to.match(/^1381111000\d$/);
    const other = await t.db.models.Lead.findOne({ campaignId, staffId: h.org.staff.a1 }).lean();
    expect((await api.get(`/api/me/leads/${String(other!._id)}/phone`, h.org.tokens.staffA)).status, 'another staff member’s lead').to.equal(404);
    expect((await api.post(`/api/me/leads/${String(other!._id)}/actions`, { action: 'requested' }, h.org.tokens.staffA)).status).to.equal(404);
    const acted = await api.post(`/api/me/leads/${item.id}/actions`, { action: 'requested' }, h.org.tokens.staffA);
    expect(acted.body).to.include({ status: 'requested' });
    expect((await api.post(`/api/me/leads/${item.id}/actions`, { action: 'lost' }, h.org.tokens.staffA)).status).to.equal(400);
  });

  it('gives each staff member a contact way per campaign with a short state', async () => {
    const res = await api.get(`/api/me/campaigns/${campaignId}/contact-way`, h.org.tokens.staffA);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.state).to.match(/^c:[0-9a-v]{6}:1$/);
    expect(res.body.state.length).to.be.at.most(30);
    expect(h.sim.state.contactWays.get(res.body.configId)!.body).to.include({ state: res.body.state });
    const again = await api.get(`/api/me/campaigns/${campaignId}/contact-way`, h.org.tokens.staffA);
    expect(again.body.configId).to.equal(res.body.configId);
  });

  it('attributes an add by state (the lead found by the phone in the remark of that add)', async () => {
    const way = (await api.get(`/api/me/campaigns/${campaignId}/contact-way`, h.org.tokens.staffA)).body;
    const customer = h.sim.control.addCustomer({ name: '林小姐', follow_user: [{ userid: 'a2', state: way.state, remark: `林小姐 ${PHONES.state}` }] });
    const contact = await add('a2', customer.external_userid, way.state);
    const l = (await lead(PHONES.state))!;
    expect(l).to.include({ status: 'accepted', attributedBy: 'state', acceptedStaffId: h.org.staff.a2, contactId: String(contact._id) });
    expect(contact.identityKeys).to.include(`phone:${h.services.phones.hash(`+86${PHONES.state}`)}`);
  });

  it('turns a scan of a campaign code by an unknown customer into a scanned lead', async () => {
    const way = (await api.get(`/api/me/campaigns/${campaignId}/contact-way`, h.org.tokens.staffA)).body;
    const scanned = h.sim.control.scanContactWay(way.configId, { name: '路人' });
    const contact = await add('a2', scanned.external_userid, scanned.state);
    const l = await t.db.models.Lead.findOne({ campaignId, contactId: String(contact._id) }).lean();
    expect(l).to.include({ origin: 'scan', status: 'accepted', attributedBy: 'state', acceptedStaffId: h.org.staff.a2 });
  });

  it('attributes an add by the phone staff typed into the remark', async () => {
    const customer = h.sim.control.addCustomer({ name: '王姐', follow_user: [{ userid: 'a1', remark: `王姐 138-1111-0002` }] });
    const contact = await add('a1', customer.external_userid);
    expect(await lead(PHONES.remark)).to.include({ status: 'accepted', attributedBy: 'remark', acceptedStaffId: h.org.staff.a1, contactId: String(contact._id) });
    const contacts = await t.db.models.Contact.countDocuments({ corpId: SIM_CORP_ID, identityKeys: `phone:${h.services.phones.hash(`+86${PHONES.remark}`)}` });
    expect(contacts, 'the lead became that contact, not a second one').to.equal(1);
  });

  it('attributes an add by the phone hash the contact already has', async () => {
    // The customer left the number at an official-account event after the import; WeCom joins them by unionid.
    await h.services.identities.upsert(SIM_CORP_ID, { identities: [{ kind: 'unionid', unionid: 'un-phone-lead' }], phone: PHONES.phone });
    const customer = h.sim.control.addCustomer({ name: '陈先生', unionid: 'un-phone-lead', follow_user: [{ userid: 'a2' }] });
    const contact = await add('a2', customer.external_userid);
    expect(await lead(PHONES.phone)).to.include({ status: 'accepted', attributedBy: 'phone', contactId: String(contact._id) });
  });

  it('counts a customer who adds two staff members once', async () => {
    const customer = h.sim.control.addCustomer({ name: '张阿姨', follow_user: [{ userid: 'a2', remark: `张阿姨${PHONES.twice}` }, { userid: 'a1', remark: `张阿姨 ${PHONES.twice}` }] });
    await add('a2', customer.external_userid);
    const first = (await lead(PHONES.twice))!;
    await add('a1', customer.external_userid);
    const second = (await lead(PHONES.twice))!;
    expect(second).to.include({ status: 'accepted', acceptedStaffId: h.org.staff.a2 });
    expect(second.acceptedAt!.getTime()).to.equal(first.acceptedAt!.getTime());
    expect(await t.db.models.Lead.countDocuments({ campaignId, status: 'accepted' })).to.equal(5);
  });

  it('shows the funnel, the leaderboard and the greeting experiment with friend_added outcomes', async () => {
    const res = await api.get(`/api/campaigns/${campaignId}/funnel`, h.org.tokens.hq);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const { totals } = res.body;
    expect(totals).to.include({ imported: 5, assigned: 5, requested: 1, accepted: 5, scanned: 1 });
    // 4 imported leads accepted of 1 requested: friends who scanned or were added without a recorded request still count.
    expect(totals.acceptedOfImported).to.equal(4 / 5);
    expect(totals.cost).to.equal(100 + 0.5 * 5 + 1 * 1);
    expect(totals.costPerFriend).to.equal(Math.round((103.5 / 5) * 100) / 100);
    expect(res.body.leaderboard.map((r: { accepted: number }) => r.accepted).reduce((a: number, b: number) => a + b, 0)).to.equal(5);
    expect(res.body.by.source.find((r: { key: string }) => r.key === 'contact_way')).to.include({ accepted: 1, scanned: 1 });

    const results = await api.get(`/api/campaigns/${campaignId}/greeting-results`, h.org.tokens.hq);
    expect(results.status, JSON.stringify(results.body)).to.equal(200);
    const units = results.body.results.arms.reduce((s: number, a: { units: number }) => s + a.units, 0);
    expect(units).to.equal(5);
    const added = results.body.results.metrics.find((m: { metric: string }) => m.metric === 'friend_added');
    expect(added.arms.reduce((s: number, a: { conversions: number }) => s + a.conversions, 0), 'four imported leads became friends').to.equal(4);
  });
});
