import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('stores, staff and tags API', () => {
  const t = useTestDatabase('org_http');
  let org: TestOrg;
  let api: ReturnType<typeof http>;

  before(async () => {
    const s = testServices(t.db);
    org = await seedTestOrg(s);
    api = http(s);
  });

  it('creates, reads, updates and closes a store', async () => {
    const created = await api.post('/api/stores', { code: 'GZ01', name: '天河店', city: '广州', region: '华南', timezone: 'Asia/Shanghai', location: { lat: 23.13, lng: 113.32 } }, org.tokens.hq).expect(201);
    expect(created.body).to.include({ code: 'GZ01', city: '广州' });
    const patched = await api.patch(`/api/stores/${created.body.id}`, { name: '天河城店' }, org.tokens.hq).expect(200);
    expect(patched.body.name).to.equal('天河城店');
    await api.delete(`/api/stores/${created.body.id}`, org.tokens.hq).expect(204);
    await api.get(`/api/stores/${created.body.id}`, org.tokens.hq).expect(404);
    expect(await t.db.models.Store.countDocuments({ code: 'GZ01' }), 'soft delete keeps the row').to.equal(1);
  });

  it('refuses a store in an unknown time zone, saying so in zh-CN first, and stores nothing', async () => {
    const res = await api.post('/api/stores', { code: 'MARS1', name: '火星店', city: '火星', region: '外', timezone: 'Mars/Olympus' }, org.tokens.hq).expect(400);
    expect(res.body.error.details).to.deep.equal([{ path: 'body.timezone', message: '须为 IANA 时区，例如 Asia/Shanghai must be an IANA time zone such as Asia/Shanghai' }]);
    expect(await t.db.models.Store.countDocuments({ code: 'MARS1' })).to.equal(0);
    const created = await api.post('/api/stores', { code: 'DEF1', name: '默认店', city: '上海', region: '华东' }, org.tokens.hq).expect(201);
    expect(created.body.timezone, 'the default zone').to.equal('Asia/Shanghai');
  });

  it("keeps a store's quiet hours and daily cap (defaults when unset), patches them, and refuses bad ones in zh-CN", async () => {
    const plain = await api.post('/api/stores', { code: 'QH0', name: '默认策略店', city: '上海', region: '华东' }, org.tokens.hq).expect(201);
    expect(plain.body).to.deep.include({ quietHours: { start: '21:00', end: '09:00' }, dailyCap: 1 });
    const night = await api.post('/api/stores', { code: 'QH1', name: '夜店', city: '柏林', region: '欧洲', timezone: 'Europe/Berlin', quietHours: { start: '22:00', end: '08:00' }, dailyCap: 2 }, org.tokens.hq).expect(201);
    expect(night.body).to.deep.include({ quietHours: { start: '22:00', end: '08:00' }, dailyCap: 2 });
    const patched = await api.patch(`/api/stores/${night.body.id}`, { quietHours: { start: '23:30', end: '07:00' } }, org.tokens.hq).expect(200);
    expect(patched.body, 'a patch of quiet hours keeps the cap').to.deep.include({ quietHours: { start: '23:30', end: '07:00' }, dailyCap: 2 });
    expect((await api.get(`/api/stores/${night.body.id}`, org.tokens.hq).expect(200)).body.quietHours).to.deep.equal({ start: '23:30', end: '07:00' });

    const refused = async (body: object) => (await api.patch(`/api/stores/${night.body.id}`, body, org.tokens.hq).expect(400)).body.error.details;
    expect(await refused({ quietHours: { start: '24:00', end: '08:00' } })).to.deep.equal([{ path: 'body.quietHours.start', message: '须为本地时间 HH:MM（00:00–23:59） Must be a local time HH:MM' }]);
    expect(await refused({ quietHours: { start: '8:00', end: '22:00' } })).to.have.nested.property('[0].path', 'body.quietHours.start');
    expect(await refused({ quietHours: { start: '22:00', end: '22:00' } })).to.deep.equal([{ path: 'body.quietHours.end', message: '免打扰开始与结束不能相同 Quiet hours must start and end at different times' }]);
    expect(await refused({ dailyCap: 0 })).to.deep.equal([{ path: 'body.dailyCap', message: '每日上限至少为 1 The daily cap must be at least 1' }]);
    expect(await refused({ dailyCap: 11 })).to.deep.equal([{ path: 'body.dailyCap', message: '每日上限最多 10 The daily cap is at most 10' }]);
    expect(await refused({ dailyCap: 1.5 })).to.have.nested.property('[0].path', 'body.dailyCap');
    await api.patch(`/api/stores/${night.body.id}`, { dailyCap: 3 }, org.tokens.managerA).expect(403);
    expect((await api.get(`/api/stores/${night.body.id}`, org.tokens.hq).expect(200)).body, 'nothing refused was stored').to.deep.include({ quietHours: { start: '23:30', end: '07:00' }, dailyCap: 2 });
  });

  it('adds staff, moves them between stores, and resigns them without losing them', async () => {
    const created = await api.post('/api/staff', { userId: 'zhou', name: '周导购', storeId: org.stores.a, quotas: { addFriendsPerDay: 30 } }, org.tokens.hq).expect(201);
    expect(created.body.quotas).to.deep.equal({ addFriendsPerDay: 30, massSendsPerDay: 1 });
    const moved = await api.patch(`/api/staff/${created.body.id}`, { storeId: org.stores.b }, org.tokens.hq).expect(200);
    expect(moved.body.storeId).to.equal(org.stores.b);
    await api.post('/api/staff', { userId: 'zhou', name: '重复', storeId: org.stores.a }, org.tokens.hq).expect(409);
    await api.delete(`/api/staff/${created.body.id}`, org.tokens.hq).expect(204);
    const after = await api.get(`/api/staff/${created.body.id}`, org.tokens.hq).expect(200);
    expect(after.body.status).to.equal('resigned');
    const active = await api.get('/api/staff?status=active', org.tokens.hq).expect(200);
    expect(active.body.items.map((x: { userId: string }) => x.userId)).not.to.include('zhou');
  });

  it('lets only HQ appoint store managers', async () => {
    await api.post('/api/staff', { userId: 'boss2', name: '二店长', storeId: org.stores.a, role: 'store_manager' }, org.tokens.managerA).expect(403);
    await api.patch(`/api/staff/${org.staff.a2}`, { role: 'store_manager' }, org.tokens.managerA).expect(403);
  });

  it('manages tag groups and tags with stable ids', async () => {
    const group = await api.post('/api/tag-groups', { name: '兴趣', tags: [{ name: '烘焙' }, { name: '健身' }] }, org.tokens.marketer).expect(201);
    const [bake] = group.body.tags;
    await api.patch(`/api/tags/${bake.tagId}`, { name: '烘焙达人' }, org.tokens.marketer).expect(200);
    const added = await api.post(`/api/tag-groups/${group.body.groupId}/tags`, { name: '露营' }, org.tokens.hq).expect(201);
    const list = await api.get('/api/tags', org.tokens.staffA).expect(200);
    const g = list.body.items.find((x: { groupId: string }) => x.groupId === group.body.groupId);
    expect(g.tags.map((x: { name: string }) => x.name).sort()).to.deep.equal(['健身', '烘焙达人', '露营']);
    expect(g.tags.find((x: { name: string }) => x.name === '烘焙达人').tagId, 'rename keeps the id').to.equal(bake.tagId);
    await api.delete(`/api/tags/${added.body.tagId}`, org.tokens.hq).expect(204);
    await api.post('/api/tag-groups', { name: '员工不可建' }, org.tokens.staffA).expect(403);
    await api.delete(`/api/tag-groups/${group.body.groupId}`, org.tokens.hq).expect(204);
    const gone = await api.get('/api/tags', org.tokens.hq).expect(200);
    expect(gone.body.items.find((x: { groupId: string }) => x.groupId === group.body.groupId)).to.equal(undefined);
  });
});
