/**
 * The public store locator (/api/public/store-codes/*) without corpId and with a district: the only corp is used
 * when there is exactly one, several corps get a zh-CN 400 that says to use the full link, and a district picks
 * the store whose address names it.
 */
import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('public store locator without corpId, with a district', () => {
  const t = useTestDatabase('store_nearest_public');
  let services: ReturnType<typeof testServices>;
  let api: ReturnType<typeof http>;
  let org: TestOrg;

  before(async () => {
    services = testServices(t.db, { now: '2026-12-07T02:00:00Z' });
    org = await seedTestOrg(services);
    api = http(services);
    const scope = { corpId: org.corpId, storeIds: null };
    await services.org.updateStore(scope, org.stores.a, { city: '上海', address: '上海市浦东新区陆家嘴环路 1 号' });
    await services.org.updateStore(scope, org.stores.b, { city: '上海', address: '上海市徐汇区漕溪北路 2 号' });
    for (const storeId of [org.stores.a, org.stores.b]) {
      await t.db.models.LiveCode.create({ corpId: org.corpId, accountId: 'acc', name: `store-${storeId}`, channel: 'store', mode: 'rotate', storeId, storeIds: [storeId], staff: [], state: `lc:s${storeId.slice(-8)}`, configId: `cfg-${storeId}`, qrCode: `https://wework.qpic.cn/wwpic/store-${storeId}/0`, status: 'active', createdBy: 'test' });
    }
  });

  it('uses the only corp when the link has no corpId', async () => {
    // The test org seeds a second corp; a single-brand install has one.
    await t.db.models.Corp.deleteMany({ corpId: { $ne: org.corpId } });
    expect((await services.org.listCorps()).map((c) => c.corpId)).to.deep.equal([org.corpId]);
    const cities = await api.get('/api/public/store-codes/cities');
    expect(cities.status, JSON.stringify(cities.body)).to.equal(200);
    expect(cities.body.items).to.deep.equal(['上海']);
    expect((await api.get('/api/public/store-codes/nearest?city=上海')).status).to.equal(200);
  });

  it('picks the store of the visitor’s district', async () => {
    for (const [district, storeId] of [['浦东新区', org.stores.a], ['徐汇区', org.stores.b]] as const) {
      const res = await api.get(`/api/public/store-codes/nearest?corpId=${org.corpId}&city=${encodeURIComponent('上海')}&district=${encodeURIComponent(district)}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.store.id, district).to.equal(storeId);
    }
  });

  it('says in zh-CN to use the full link when several corps could be meant', async () => {
    await services.org.upsertCorp({ corpId: 'ww-second-corp', name: '第二企业' });
    const res = await api.get('/api/public/store-codes/cities');
    expect(res.status).to.equal(400);
    expect(res.body.error.message).to.match(/^链接缺少企业参数 corpId/);
  });
});
