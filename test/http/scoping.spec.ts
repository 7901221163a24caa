import { expect } from 'chai';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

describe('tenant and store scoping', () => {
  const t = useTestDatabase('scoping');
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let inA: string;
  let inB: string;

  before(async () => {
    const s = testServices(t.db);
    org = await seedTestOrg(s);
    api = http(s);
    const staffA = await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
    const staffB = await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.b1);
    const a = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-a' }], profile: { name: '甲店客户' } });
    const b = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-b' }], profile: { name: '乙店客户' } });
    await s.follows.upsert(org.corpId, { contactId: a.contact.id, staff: staffA, addedAt: new Date(), state: 'store:a' });
    await s.follows.upsert(org.corpId, { contactId: b.contact.id, staff: staffB, addedAt: new Date() });
    inA = a.contact.id;
    inB = b.contact.id;
  });

  it('lets a staff member of store A read a contact of store A', async () => {
    const res = await api.get(`/api/contacts/${inA}`, org.tokens.staffA).expect(200);
    expect(res.body.follows[0].state).to.equal('store:a');
  });

  it("answers 404 when a staff token of store A asks for store B's contact", async () => {
    const res = await api.get(`/api/contacts/${inB}`, org.tokens.staffA).expect(404);
    expect(res.body.error.code).to.equal('not_found');
    await api.get(`/api/contacts/${inB}/timeline`, org.tokens.staffA).expect(404);
    await api.post(`/api/contacts/${inB}/tags`, { remove: ['x'] }, org.tokens.staffA).expect(404);
  });

  it("lists only the caller's store for store-level roles, every store for HQ", async () => {
    const mine = await api.get('/api/contacts', org.tokens.staffA).expect(200);
    expect(mine.body.items.map((c: { id: string }) => c.id)).to.deep.equal([inA]);
    const asB = await api.get(`/api/contacts?storeId=${org.stores.a}`, org.tokens.staffB).expect(200);
    expect(asB.body.items).to.deep.equal([]);
    const hq = await api.get('/api/contacts', org.tokens.hq).expect(200);
    expect(hq.body.items).to.have.length(2);
    const stores = await api.get('/api/stores', org.tokens.managerA).expect(200);
    expect(stores.body.items.map((s: { id: string }) => s.id)).to.deep.equal([org.stores.a]);
    await api.get(`/api/stores/${org.stores.b}`, org.tokens.managerA).expect(404);
    const staff = await api.get('/api/staff', org.tokens.staffB).expect(200);
    expect(staff.body.items.map((s: { userId: string }) => s.userId)).to.deep.equal(['b1']);
  });

  it("hides one corp's data from another corp's token, even when asked by corpId", async () => {
    await api.get(`/api/contacts/${inA}`, org.tokens.otherCorp).expect(404);
    await api.get(`/api/contacts?corpId=${org.corpId}`, org.tokens.otherCorp).expect(404);
    const own = await api.get('/api/contacts', org.tokens.otherCorp).expect(200);
    expect(own.body.items).to.deep.equal([]);
  });

  it('lets the bootstrap admin read every corp, and requires corpId when several exist', async () => {
    const res = await api.get('/api/contacts', org.tokens.admin).expect(400);
    expect(res.body.error.details[0].path).to.equal('query.corpId');
    const ok = await api.get(`/api/contacts?corpId=${org.corpId}`, org.tokens.admin).expect(200);
    expect(ok.body.items).to.have.length(2);
    const corps = await api.get('/api/corps', org.tokens.admin).expect(200);
    expect(corps.body.items.map((c: { corpId: string }) => c.corpId)).to.have.members([org.corpId, 'wwothercorp']);
    const ownCorp = await api.get('/api/corps', org.tokens.hq).expect(200);
    expect(ownCorp.body.items.map((c: { corpId: string }) => c.corpId)).to.deep.equal([org.corpId]);
  });

  it('enforces roles: staff cannot create stores, contacts or tokens; a manager only in their store', async () => {
    await api.post('/api/stores', { code: 'X', name: 'x', city: 'c', region: 'r' }, org.tokens.staffA).expect(403);
    await api.post('/api/contacts', { identities: [{ kind: 'wecom', externalUserId: 'wm-x' }] }, org.tokens.staffA).expect(403);
    await api.post('/api/tokens', { role: 'staff', name: 'n', staffId: org.staff.a2 }, org.tokens.staffA).expect(403);
    await api.post('/api/staff', { userId: 'new-b', name: '新人', storeId: org.stores.b }, org.tokens.managerA).expect(404);
    await api.post('/api/staff', { userId: 'new-a', name: '新人', storeId: org.stores.a }, org.tokens.managerA).expect(201);
    await api.post('/api/tokens', { role: 'staff', name: 'n', staffId: org.staff.b1 }, org.tokens.managerA).expect(404);
    await api.post('/api/tokens', { role: 'hq_admin', name: 'n' }, org.tokens.managerA).expect(403);
  });

  it('refuses missing, malformed, unknown and revoked tokens with 401', async () => {
    await api.get('/api/contacts').expect(401);
    await api.raw().get('/api/contacts').set('Authorization', 'Basic abc').expect(401);
    await api.get('/api/contacts', 'siyu_not_a_real_token').expect(401);
    const issued = await api.post('/api/tokens', { role: 'marketer', name: '临时' }, org.tokens.hq).expect(201);
    await api.get('/api/contacts', issued.body.token).expect(200);
    await api.delete(`/api/tokens/${issued.body.id}`, org.tokens.hq).expect(204);
    await api.get('/api/contacts', issued.body.token).expect(401);
  });

  it('stores issued tokens hashed, never in clear', async () => {
    const issued = await api.post('/api/tokens', { role: 'staff', name: '导购', staffId: org.staff.a2 }, org.tokens.managerA).expect(201);
    expect(issued.body.storeId).to.equal(org.stores.a);
    const all = JSON.stringify(await t.db.models.Token.find({}).lean());
    expect(all).not.to.include(issued.body.token);
  });
});
