/**
 * API tokens over HTTP: expiry (per-role default, chosen at issue, old rows without one), the token list and
 * revocation, a resigned member's tokens and links, lastUsedAt at most once a minute, and staff ids checked
 * against the issuer's corp.
 */
import { expect } from 'chai';
import { StaffLoginLinkRepository } from '../../server/auth/staff-login-link.repository.ts';
import { StaffLoginService } from '../../server/auth/staff-login.ts';
import { UnauthenticatedError } from '../../server/errors.ts';
import { useTestDatabase } from '../support/database.ts';
import { ADMIN_TOKEN, http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

const NOW = '2026-11-22T02:00:00.000Z';
const DAY = 24 * 3600_000;
const at = (days: number) => new Date(new Date(NOW).getTime() + days * DAY).toISOString();

describe('API tokens: expiry, list, revocation, resigned staff, lastUsedAt', () => {
  const t = useTestDatabase('tokens');
  let s: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let otherStaff: string;

  before(async () => {
    s = testServices(t.db, { now: NOW });
    org = await seedTestOrg(s);
    api = http(s);
    const other = { corpId: 'wwothercorp', storeIds: null };
    const store = await s.org.createStore(other, { code: 'GZ01', name: '别家门店', city: '广州', region: '华南', timezone: 'Asia/Shanghai' });
    otherStaff = (await s.org.createStaff(other, { userId: 'o1', name: '别家导购', storeId: store.id, role: 'staff' })).id;
  });
  afterEach(() => s.clock.set(NOW));

  const newStaff = async (userId: string, storeId = org.stores.a) => (await api.post('/api/staff', { userId, name: userId, storeId }, org.tokens.hq).expect(201)).body.id as string;
  const signInLink = async (staffId: string) => (await api.post(`/api/staff/${staffId}/login-links`, {}, org.tokens.hq).expect(201)).body.url as string;

  describe('sign-in links', () => {
    it("answers a database error while reading the link's member as an error, not as 401 (the link stays unusable only if it was used)", async () => {
      const staffId = await newStaff('link-dberr');
      const secret = new URL(await signInLink(staffId), 'http://siyu.test').searchParams.get('t')!;
      const broken = new StaffLoginService({
        ...s,
        links: new StaffLoginLinkRepository(s.db.models),
        org: { ...s.org, getStaff: async () => Promise.reject(new Error('database unreachable')) },
        staffOAuth: async () => null,
      });
      const failure = await broken.consumeLink(secret).then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).to.be.instanceOf(Error);
      expect(failure).to.not.be.instanceOf(UnauthenticatedError);
    });
  });

  describe('expiry', () => {
    it("gives every issued token its role's default lifetime and answers 401 令牌已过期 once it has passed", async () => {
      const staffId = await newStaff('exp1');
      const staff = await api.post('/api/tokens', { role: 'staff', name: '导购', staffId }, org.tokens.hq).expect(201);
      const marketer = await api.post('/api/tokens', { role: 'marketer', name: '投放' }, org.tokens.hq).expect(201);
      expect(staff.body.expiresAt).to.equal(at(30));
      expect(marketer.body.expiresAt).to.equal(at(90));

      s.clock.set(at(30));
      const expired = await api.get('/api/me/tasks', staff.body.token).expect(401);
      expect(expired.body.error.message).to.match(/^令牌已过期/);
      await api.get('/api/contacts', marketer.body.token).expect(200);
      s.clock.set(at(90));
      await api.get('/api/contacts', marketer.body.token).expect(401);
    });

    it('takes a lifetime at issue (expiresInDays or expiresAt, at most 365 days ahead) and refuses bad ones', async () => {
      const short = await api.post('/api/tokens', { role: 'marketer', name: '一天', expiresInDays: 1 }, org.tokens.hq).expect(201);
      expect(short.body.expiresAt).to.equal(at(1));
      const exact = await api.post('/api/tokens', { role: 'hq_admin', name: '集成', expiresAt: '2027-06-30T00:00:00+08:00' }, org.tokens.hq).expect(201);
      expect(exact.body.expiresAt).to.equal('2027-06-29T16:00:00.000Z');

      await api.post('/api/tokens', { role: 'marketer', name: 'x', expiresInDays: 0 }, org.tokens.hq).expect(400);
      await api.post('/api/tokens', { role: 'marketer', name: 'x', expiresInDays: 366 }, org.tokens.hq).expect(400);
      await api.post('/api/tokens', { role: 'marketer', name: 'x', expiresAt: '2026-11-01T00:00:00Z' }, org.tokens.hq).expect(400);
      await api.post('/api/tokens', { role: 'marketer', name: 'x', expiresAt: '2028-01-01T00:00:00Z' }, org.tokens.hq).expect(400);
      await api.post('/api/tokens', { role: 'marketer', name: 'x', expiresInDays: 5, expiresAt: at(5) }, org.tokens.hq).expect(400);

      s.clock.set(at(1));
      await api.get('/api/contacts', short.body.token).expect(401);
      await api.get('/api/contacts', exact.body.token).expect(200);
    });

    it("dates tokens stored before expiry existed from createdAt with the role's default", async () => {
      const issued = await s.tokens.issue({ corpId: org.corpId, role: 'marketer', name: '旧令牌' });
      await t.db.models.Token.collection.updateOne({ _id: (await t.db.models.Token.findById(issued.id).lean())!._id }, { $unset: { expiresAt: '' }, $set: { createdAt: new Date(at(-80)) } });
      await api.get('/api/contacts', issued.token).expect(200);
      const listed = await api.get('/api/tokens', org.tokens.hq).expect(200);
      expect(listed.body.items.find((x: { id: string }) => x.id === issued.id).expiresAt).to.equal(at(10));
      s.clock.set(at(10));
      await api.get('/api/contacts', issued.token).expect(401);
    });

    it('never expires the bootstrap admin token', async () => {
      s.clock.set('2036-11-22T02:00:00Z');
      await api.get(`/api/contacts?corpId=${org.corpId}`, ADMIN_TOKEN).expect(200);
    });
  });

  describe('GET /api/tokens and DELETE /api/tokens/:id', () => {
    it('lists tokens newest first with their dates and state, never the secret or its hash', async () => {
      const issued = await api.post('/api/tokens', { role: 'marketer', name: '报表' }, org.tokens.hq).expect(201);
      await api.get('/api/contacts', issued.body.token).expect(200);
      const res = await api.get('/api/tokens?limit=1', org.tokens.hq).expect(200);
      expect(Date.parse(res.body.items[0].createdAt)).to.be.a('number').and.not.NaN;
      expect({ ...res.body.items[0], createdAt: 'x' }).to.deep.equal({
        id: issued.body.id,
        role: 'marketer',
        name: '报表',
        staffId: null,
        storeId: null,
        createdAt: 'x',
        expiresAt: at(90),
        lastUsedAt: new Date(NOW).toISOString(),
        revokedAt: null,
        revoked: false,
        expired: false,
      });
      expect(res.body.nextCursor).to.be.a('string');
      const all = await api.get('/api/tokens?limit=200', org.tokens.hq).expect(200);
      const text = JSON.stringify(all.body);
      const stored = await t.db.models.Token.find({ corpId: org.corpId }).lean();
      for (const row of stored) expect(text).not.to.include(row.tokenHash);
      expect(text).not.to.include(issued.body.token);
      expect(all.body.items.map((x: { id: string }) => x.id)).to.have.length(stored.length);
      await api.get('/api/tokens', org.tokens.staffA).expect(403);
      await api.get('/api/tokens', org.tokens.marketer).expect(403);
    });

    it("shows and revokes a store manager's own staff's tokens only", async () => {
      const inB = await api.post('/api/tokens', { role: 'staff', name: 'B', staffId: org.staff.b1 }, org.tokens.hq).expect(201);
      const inA = await api.post('/api/tokens', { role: 'staff', name: 'A', staffId: org.staff.a2 }, org.tokens.managerA).expect(201);
      const mine = await api.get('/api/tokens?limit=200', org.tokens.managerA).expect(200);
      const storeA = new Set((await s.org.listStaff({ corpId: org.corpId, storeIds: [org.stores.a] })).map((x) => x.id));
      expect(mine.body.items.map((x: { id: string }) => x.id)).to.include(inA.body.id).and.not.include(inB.body.id);
      expect(mine.body.items.every((x: { staffId: string }) => storeA.has(x.staffId))).to.equal(true);
      expect((await api.get(`/api/tokens?staffId=${org.staff.b1}`, org.tokens.managerA).expect(200)).body.items).to.deep.equal([]);
      await api.delete(`/api/tokens/${inB.body.id}`, org.tokens.managerA).expect(404);
      await api.get('/api/me/tasks', inB.body.token).expect(200);
      await api.delete(`/api/tokens/${inA.body.id}`, org.tokens.managerA).expect(204);
      await api.get('/api/me/tasks', inA.body.token).expect(401);
      const listed = await api.get(`/api/tokens?staffId=${org.staff.a2}`, org.tokens.hq).expect(200);
      expect(listed.body.items.find((x: { id: string }) => x.id === inA.body.id)).to.include({ revoked: true, revokedAt: new Date(NOW).toISOString() });
    });
  });

  describe('a staff member who leaves', () => {
    it('loses every token and unused sign-in link the moment they are resigned (PATCH or DELETE)', async () => {
      for (const how of ['patch', 'delete'] as const) {
        const staffId = await newStaff(`leave-${how}`);
        const token = (await api.post('/api/tokens', { role: 'staff', name: '手机', staffId }, org.tokens.hq).expect(201)).body.token;
        const link = await signInLink(staffId);
        await api.get('/api/me/tasks', token).expect(200);
        if (how === 'patch') await api.patch(`/api/staff/${staffId}`, { status: 'resigned' }, org.tokens.hq).expect(200);
        else await api.delete(`/api/staff/${staffId}`, org.tokens.hq).expect(204);
        const refused = await api.get('/api/me/tasks', token).expect(401);
        expect(refused.body.error.message).to.match(/^令牌无效或已吊销|^该员工已离职/);
        await api.raw().get(link).expect(401);
        const listed = await api.get(`/api/tokens?staffId=${staffId}`, org.tokens.hq).expect(200);
        expect(listed.body.items.map((x: { revoked: boolean }) => x.revoked)).to.deep.equal([true]);
        expect(await t.db.models.StaffLoginLink.countDocuments({ staffId, revokedAt: { $ne: null } })).to.equal(1);
      }
    });

    it("refuses a token whose member has left even when nothing revoked it (status read at authentication)", async () => {
      const staffId = await newStaff('leave-direct');
      const token = (await s.tokens.issue({ corpId: org.corpId, role: 'staff', name: '手机', staffId })).token;
      await api.get('/api/me/tasks', token).expect(200);
      await s.org.updateStaff({ corpId: org.corpId, storeIds: null }, staffId, { status: 'resigned' });
      const res = await api.get('/api/me/tasks', token).expect(401);
      expect(res.body.error.message).to.match(/^该员工已离职/);
      await s.org.updateStaff({ corpId: org.corpId, storeIds: null }, staffId, { status: 'active' });
      await api.get('/api/me/tasks', token).expect(200);
    });

    it("follows a moved member's store at once", async () => {
      const staffId = await newStaff('mover');
      const token = (await api.post('/api/tokens', { role: 'staff', name: '手机', staffId }, org.tokens.hq).expect(201)).body.token;
      expect((await api.get('/api/stores', token).expect(200)).body.items.map((x: { id: string }) => x.id)).to.deep.equal([org.stores.a]);
      await api.patch(`/api/staff/${staffId}`, { storeId: org.stores.b }, org.tokens.hq).expect(200);
      expect((await api.get('/api/stores', token).expect(200)).body.items.map((x: { id: string }) => x.id)).to.deep.equal([org.stores.b]);
    });
  });

  describe('lastUsedAt', () => {
    it('is written at most once a minute per token', async () => {
      const issued = await s.tokens.issue({ corpId: org.corpId, role: 'marketer', name: '频繁' });
      const lastUsed = async () => (await t.db.models.Token.findById(issued.id).lean())!.lastUsedAt?.toISOString() ?? null;
      expect(await lastUsed()).to.equal(null);
      await api.get('/api/contacts', issued.token).expect(200);
      expect(await lastUsed()).to.equal(NOW);
      s.clock.advance(59_000);
      await api.get('/api/contacts', issued.token).expect(200);
      expect(await lastUsed(), 'within the minute: not rewritten').to.equal(NOW);
      s.clock.advance(1_000);
      await api.get('/api/contacts', issued.token).expect(200);
      expect(await lastUsed()).to.equal('2026-11-22T02:01:00.000Z');
    });
  });

  describe("another corp's staff", () => {
    it('cannot be bound to a token or a sign-in link by HQ, whatever the role', async () => {
      for (const role of ['hq_admin', 'marketer', 'store_manager', 'staff']) {
        const res = await api.post('/api/tokens', { role, name: '越权', staffId: otherStaff }, org.tokens.hq).expect(404);
        expect(res.body.error.message).to.include(otherStaff);
      }
      await api.post(`/api/tokens?corpId=${org.corpId}`, { role: 'marketer', name: '越权', staffId: otherStaff }, ADMIN_TOKEN).expect(404);
      await api.post(`/api/staff/${otherStaff}/login-links`, {}, org.tokens.hq).expect(404);
      expect(await t.db.models.Token.countDocuments({ staffId: otherStaff })).to.equal(0);
      expect(await t.db.models.StaffLoginLink.countDocuments({ staffId: otherStaff })).to.equal(0);
      // Its own corp's HQ may.
      await api.post('/api/tokens', { role: 'staff', name: '本企业', staffId: otherStaff }, org.tokens.otherCorp).expect(201);
    });

    it('refuses a resigned member at issue', async () => {
      const staffId = await newStaff('gone-before');
      await api.delete(`/api/staff/${staffId}`, org.tokens.hq).expect(204);
      await api.post('/api/tokens', { role: 'marketer', name: 'x', staffId }, org.tokens.hq).expect(400);
      await api.post(`/api/staff/${staffId}/login-links`, {}, org.tokens.hq).expect(404);
    });
  });
});
