/**
 * Campaign reads are scoped like the rest: a store-level token sees the campaigns that target its store (or
 * every store); another store's campaign, its leads, funnel and greeting results answer 404.
 */
import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('campaign reads by store', () => {
  const t = useTestDatabase('campaign_scoping');
  let s: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  const ids = { a: '', b: '', all: '' };

  before(async () => {
    s = testServices(t.db);
    org = await seedTestOrg(s);
    api = http(s);
    const create = async (name: string, storeIds?: string[]) => (await api.post('/api/campaigns', { name, ...(storeIds ? { storeIds } : {}), costs: { perLead: 3 } }, org.tokens.hq).expect(201)).body.id as string;
    ids.a = await create('上海一店专场', [org.stores.a]);
    ids.b = await create('北京一店专场', [org.stores.b]);
    ids.all = await create('全部门店');
    await api.patch(`/api/campaigns/${ids.b}`, { greetings: [{ id: 'x', text: '你好' }, { id: 'y', text: '您好' }] }, org.tokens.hq).expect(200);
    await api.post(`/api/campaigns/${ids.b}/start`, {}, org.tokens.hq).expect(200);
  });

  it("answers 404 to a store manager for another store's campaign and everything under it", async () => {
    for (const path of [`/api/campaigns/${ids.b}`, `/api/campaigns/${ids.b}/leads`, `/api/campaigns/${ids.b}/funnel`, `/api/campaigns/${ids.b}/greeting-results`]) {
      const res = await api.get(path, org.tokens.managerA);
      expect(res.status, path).to.equal(404);
      expect(JSON.stringify(res.body), path).not.to.include('北京一店专场');
    }
    await api.get(`/api/campaigns/${ids.b}`, org.tokens.hq).expect(200);
    await api.get(`/api/campaigns/${ids.b}/greeting-results`, org.tokens.marketer).expect(200);
  });

  it('lets a store manager read campaigns for their store and for every store', async () => {
    const own = await api.get(`/api/campaigns/${ids.a}`, org.tokens.managerA).expect(200);
    expect(own.body.costs.perLead).to.equal(3);
    await api.get(`/api/campaigns/${ids.all}`, org.tokens.managerA).expect(200);
    await api.get(`/api/campaigns/${ids.a}/funnel`, org.tokens.managerA).expect(200);
  });

  it("lists only the store's campaigns for a store manager, every campaign for HQ", async () => {
    const mine = await api.get('/api/campaigns', org.tokens.managerA).expect(200);
    expect(mine.body.items.map((c: { id: string }) => c.id).sort()).to.deep.equal([ids.a, ids.all].sort());
    const hq = await api.get('/api/campaigns', org.tokens.marketer).expect(200);
    expect(hq.body.items.map((c: { id: string }) => c.id).sort()).to.deep.equal([ids.a, ids.b, ids.all].sort());
  });

  it("refuses a staff member the contact-way QR of another store's campaign", async () => {
    await api.get(`/api/me/campaigns/${ids.b}/contact-way`, org.tokens.staffA).expect(404);
  });

  it('keeps showing a member their leads after their store is taken off the campaign', async () => {
    const module = s.campaigns;
    const scope = { corpId: org.corpId, storeIds: null };
    const campaign = await module.campaigns.create(scope, { name: '改了门店', storeIds: [org.stores.a] });
    const lead = await t.db.models.Lead.create({
      corpId: org.corpId,
      campaignId: campaign.id,
      key: 'h-moved',
      phoneMasked: '138****0009',
      status: 'assigned',
      storeId: org.stores.a,
      staffId: org.staff.a2,
      assignedAt: s.clock.now(),
      assignedDate: '2026-11-22',
    });
    await module.campaigns.update(scope, campaign.id, { storeIds: [org.stores.b] });
    const res = await api.get('/api/me/leads', org.tokens.staffA).expect(200);
    const item = res.body.items.find((x: { id: string }) => x.id === String(lead._id));
    expect(item.campaign).to.include({ id: campaign.id, name: '改了门店' });
  });
});
