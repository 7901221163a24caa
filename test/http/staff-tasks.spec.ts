import { expect } from 'chai';
import { startChannelHarness, type ChannelHarness } from '../support/channel-harness.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { BadRequestError } from '../../server/errors.ts';
import type { StaffTaskInput } from '../../server/tasks/staff-task.repository.ts';

const DEFAULT_NOW = '2026-11-22T02:00:00Z';

describe('staff tasks: /api/me/tasks, /api/tasks and StaffTaskRepository', () => {
  const t = useTestDatabase('staff_tasks');
  let s: ReturnType<typeof testServices>;
  let org: TestOrg;
  let api: ReturnType<typeof http>;
  let n = 0;
  const task = (over: Partial<StaffTaskInput> = {}): StaffTaskInput => ({
    corpId: org.corpId,
    key: `test:${++n}`,
    storeId: org.stores.a,
    staffId: org.staff.a2,
    kind: 'call',
    title: `任务 ${n}`,
    localDate: '2026-11-22',
    dueAt: new Date('2026-11-22T02:00:00Z'),
    ...over,
  });

  before(async () => {
    s = testServices(t.db);
    org = await seedTestOrg(s);
    api = http(s);
  });
  afterEach(() => s.clock.set(DEFAULT_NOW));

  describe('createOnce', () => {
    it('stores one task per (corpId, key) however many callers race, and returns it to each', async () => {
      const input = task({ key: 'sop:enrollment-1:step-2', kind: 'mass_send_confirm', text: '双十一会员日，到店有礼' });
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => s.tasks.createOnce({ ...input, title: `并发 ${i}` })));
      expect(new Set(results.map((r) => r.id)).size).to.equal(1);
      expect(results.filter((r) => r.created)).to.have.length(1);
      expect(await t.db.models.StaffTask.countDocuments({ corpId: org.corpId, key: input.key })).to.equal(1);
      const again = await s.tasks.createOnce({ ...input, title: '第二次' });
      expect(again).to.include({ id: results[0]!.id, created: false, title: results.find((r) => r.created)!.title, status: 'open' });
    });

    it('keeps keys apart per corp', async () => {
      const a = await s.tasks.createOnce(task({ key: 'shared-key' }));
      const b = await s.tasks.createOnce(task({ key: 'shared-key', corpId: 'wwothercorp' }));
      expect(a.id).not.to.equal(b.id);
      expect(b.created).to.equal(true);
    });
  });

  describe('GET /api/me/tasks', () => {
    it("answers today's tasks in the store's time zone, switching at local midnight", async () => {
      await s.tasks.createOnce(task({ localDate: '2026-12-01', title: '一号的任务' }));
      await s.tasks.createOnce(task({ localDate: '2026-12-02', title: '二号的任务' }));
      s.clock.set('2026-12-01T15:59:30Z'); // 23:59:30 in Shanghai
      const before = await api.get('/api/me/tasks', org.tokens.staffA).expect(200);
      expect(before.body).to.include({ date: '2026-12-01', timezone: 'Asia/Shanghai' });
      expect(before.body.items.map((x: { title: string }) => x.title)).to.deep.equal(['一号的任务']);
      s.clock.set('2026-12-01T16:00:00Z'); // 00:00 on the 2nd in Shanghai, still the 1st in UTC
      const after = await api.get('/api/me/tasks', org.tokens.staffA).expect(200);
      expect(after.body.date).to.equal('2026-12-02');
      expect(after.body.items.map((x: { title: string }) => x.title)).to.deep.equal(['二号的任务']);
      const asked = await api.get('/api/me/tasks?date=2026-12-01', org.tokens.staffA).expect(200);
      expect(asked.body.items.map((x: { title: string }) => x.title)).to.deep.equal(['一号的任务']);
    });

    it('uses each store’s own zone: late evening in New York is already tomorrow in Shanghai', async () => {
      const scope = { corpId: org.corpId, storeIds: null };
      const ny = await s.org.createStore(scope, { code: 'NY01', name: '纽约店', city: 'New York', region: '海外', timezone: 'America/New_York' });
      const nyStaff = await s.org.createStaff(scope, { userId: 'ny1', name: 'Nina', storeId: ny.id, role: 'staff' });
      const nyToken = (await s.tokens.issue({ corpId: org.corpId, role: 'staff', name: 'ny', staffId: nyStaff.id })).token;
      await s.tasks.createOnce(task({ storeId: ny.id, staffId: nyStaff.id, localDate: '2026-11-21', title: 'NY Saturday' }));
      s.clock.set('2026-11-22T04:30:00Z'); // 23:30 on Saturday the 21st in New York (EST)
      const me = await api.get('/api/me', nyToken).expect(200);
      expect(me.body).to.deep.include({ today: '2026-11-21', role: 'staff' });
      expect(me.body.store).to.include({ name: '纽约店', timezone: 'America/New_York' });
      const res = await api.get('/api/me/tasks', nyToken).expect(200);
      expect(res.body.items.map((x: { title: string }) => x.title)).to.deep.equal(['NY Saturday']);
      expect((await api.get('/api/me', org.tokens.staffA).expect(200)).body.today).to.equal('2026-11-22');
    });

    it('lists open tasks first by due time, then closed ones, with contact names (remark first) and masked phones, 50 at most', async () => {
      const staff = await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.a2);
      const staffB = await s.org.getStaff({ corpId: org.corpId, storeIds: null }, org.staff.b1);
      const ids: string[] = [];
      for (let i = 0; i < 55; i++) {
        const c = await s.identities.upsert(org.corpId, {
          identities: [{ kind: 'wecom', externalUserId: `wm-list-${i}` }],
          profile: { name: `客户${i}` },
          ...(i === 0 ? { phone: '13800138000' } : {}),
        });
        await s.follows.upsert(org.corpId, { contactId: c.contact.id, staff, addedAt: new Date(), ...(i === 0 ? { remark: '王姐（老客户）' } : {}) });
        ids.push(c.contact.id);
      }
      const other = await s.identities.upsert(org.corpId, { identities: [{ kind: 'wecom', externalUserId: 'wm-list-b' }], profile: { name: '别店客户' } });
      await s.follows.upsert(org.corpId, { contactId: other.contact.id, staff: staffB, addedAt: new Date() });

      const day = '2026-11-25';
      const late = await s.tasks.createOnce(task({ localDate: day, title: '十点回访', dueAt: new Date('2026-11-25T02:00:00Z'), contactIds: [ids[1]!] }));
      const mass = await s.tasks.createOnce(
        task({ localDate: day, kind: 'mass_send_confirm', title: '会员日群发', text: '亲，周六会员日全场 8 折', dueAt: new Date('2026-11-25T01:00:00Z'), contactIds: [other.contact.id, ...ids] }),
      );
      const done = await s.tasks.createOnce(task({ localDate: day, title: '已做完', dueAt: new Date('2026-11-25T00:00:00Z') }));
      await api.post(`/api/me/tasks/${done.id}/done`, {}, org.tokens.staffA).expect(200);

      const res = await api.get(`/api/me/tasks?date=${day}`, org.tokens.staffA).expect(200);
      expect(res.body.items.map((x: { id: string }) => x.id)).to.deep.equal([mass.id, late.id, done.id]);
      const first = res.body.items[0];
      expect(first).to.include({ kind: 'mass_send_confirm', text: '亲，周六会员日全场 8 折', status: 'open' });
      expect(first.contacts.count).to.equal(56);
      // The first 50 ids are looked up; the other store's customer among them is left out.
      expect(first.contacts.items).to.have.length(49);
      expect(first.contacts.items[0]).to.deep.equal({ id: ids[0], name: '王姐（老客户）', phone: '138****8000' });
      expect(first.contacts.items[1]).to.deep.equal({ id: ids[1], name: '客户1', phone: null });
      expect(first.contacts.items.map((c: { id: string }) => c.id)).not.to.include(other.contact.id);
      expect(first).not.to.have.property('contactIds');
      expect(res.body.items[2].contacts).to.deep.equal({ count: 0, items: [] });
    });

    it('answers /api/me for every role (the console asks it): corp-wide tokens without a staff member, a store manager with their store', async () => {
      const hq = (await api.get('/api/me', org.tokens.hq).expect(200)).body;
      expect(hq).to.deep.equal({ staff: null, store: null, role: 'hq_admin', corp: { corpId: org.corpId, name: '测试企业' }, today: null });
      expect((await api.get('/api/me', org.tokens.marketer).expect(200)).body).to.include({ role: 'marketer', staff: null });
      const manager = (await api.get('/api/me', org.tokens.managerA).expect(200)).body;
      expect(manager).to.deep.include({ role: 'store_manager', corp: { corpId: org.corpId, name: '测试企业' } });
      expect(manager.store).to.include({ id: org.stores.a, name: '上海一店' });
      expect((await api.get('/api/me', org.tokens.admin).expect(200)).body).to.include({ role: 'hq_admin', corp: null, staff: null });
    });

    it('refuses a malformed date and tokens not bound to a staff member', async () => {
      await api.get('/api/me/tasks?date=2026-02-30', org.tokens.staffA).expect(400);
      await api.get('/api/me/tasks?date=tomorrow', org.tokens.staffA).expect(400);
      await api.get('/api/me/tasks', org.tokens.hq).expect(403);
      await api.get('/api/me').expect(401);
    });
  });

  describe('POST /api/me/tasks/:id/done and /skip', () => {
    it('lets a staff member close their own tasks once: done is repeatable, done→skip conflicts, a reason is required', async () => {
      const own = await s.tasks.createOnce(task({ localDate: '2026-11-24' }));
      const res = await api.post(`/api/me/tasks/${own.id}/done`, {}, org.tokens.staffA).expect(200);
      expect(res.body).to.include({ status: 'done', doneAt: DEFAULT_NOW.replace('Z', '.000Z'), skipReason: null });
      await api.post(`/api/me/tasks/${own.id}/done`, {}, org.tokens.staffA).expect(200);
      const conflict = await api.post(`/api/me/tasks/${own.id}/skip`, { reason: '没空' }, org.tokens.staffA).expect(409);
      expect(conflict.body.error.code).to.equal('conflict');

      const other = await s.tasks.createOnce(task({ localDate: '2026-11-24' }));
      await api.post(`/api/me/tasks/${other.id}/skip`, {}, org.tokens.staffA).expect(400);
      const blank = await api.post(`/api/me/tasks/${other.id}/skip`, { reason: '   ' }, org.tokens.staffA).expect(400);
      expect(blank.body.error.details[0].path).to.equal('body.reason');
      const refused = await s.tasks.skip({ corpId: org.corpId, storeIds: [org.stores.a] }, other.id, ' ', { role: 'staff', staffId: org.staff.a2 }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(BadRequestError);
      const skipped = await api.post(`/api/me/tasks/${other.id}/skip`, { reason: '客户出差：下周再联系' }, org.tokens.staffA).expect(200);
      expect(skipped.body).to.include({ status: 'skipped', skipReason: '客户出差：下周再联系' });
      await api.post(`/api/me/tasks/${other.id}/done`, {}, org.tokens.staffA).expect(409);
      const stored = await t.db.models.StaffTask.findById(other.id).lean();
      expect(stored).to.include({ status: 'skipped', skipReason: '客户出差：下周再联系' });
    });

    it("answers 404 for another staff member's task unless the caller manages its store or is HQ", async () => {
      const mine = await s.tasks.createOnce(task({ localDate: '2026-11-24' }));
      const managers = await s.tasks.createOnce(task({ localDate: '2026-11-24', staffId: org.staff.a1 }));
      const inB = await s.tasks.createOnce(task({ localDate: '2026-11-24', storeId: org.stores.b, staffId: org.staff.b1 }));
      await api.post(`/api/me/tasks/${managers.id}/done`, {}, org.tokens.staffA).expect(404);
      await api.post(`/api/me/tasks/${inB.id}/skip`, { reason: 'x' }, org.tokens.staffA).expect(404);
      await api.post(`/api/me/tasks/${inB.id}/done`, {}, org.tokens.managerA).expect(404);
      await api.post(`/api/me/tasks/${mine.id}/done`, {}, org.tokens.staffB).expect(404);
      await api.post(`/api/me/tasks/${mine.id}/done`, {}, org.tokens.marketer).expect(403);
      await api.post(`/api/me/tasks/${mine.id}/done`, {}, org.tokens.otherCorp).expect(404);
      await api.post('/api/me/tasks/0123456789abcdef01234567/done', {}, org.tokens.staffA).expect(404);
      await api.post('/api/me/tasks/not-an-id/done', {}, org.tokens.staffA).expect(400);
      await api.post(`/api/me/tasks/${mine.id}/done`, {}, org.tokens.managerA).expect(200);
      await api.post(`/api/me/tasks/${inB.id}/skip`, { reason: '门店装修' }, org.tokens.hq).expect(200);
      await api.post(`/api/me/tasks/${managers.id}/done`, {}, org.tokens.managerA).expect(200);
    });
  });

  describe('GET /api/tasks and counts', () => {
    it('shows a store manager their store only and HQ every store, with a summary', async () => {
      const day = '2026-11-26';
      await s.tasks.createOnce(task({ localDate: day }));
      const a1 = await s.tasks.createOnce(task({ localDate: day, staffId: org.staff.a1 }));
      await s.tasks.createOnce(task({ localDate: day, storeId: org.stores.b, staffId: org.staff.b1 }));
      await s.tasks.complete({ corpId: org.corpId, storeIds: null }, a1.id, { role: 'hq_admin', staffId: null });

      const mgr = await api.get(`/api/tasks?date=${day}`, org.tokens.managerA).expect(200);
      expect(mgr.body.summary).to.deep.equal({ total: 2, open: 1, done: 1, skipped: 0 });
      expect(mgr.body.items.every((x: { storeId: string }) => x.storeId === org.stores.a)).to.equal(true);
      expect((await api.get(`/api/tasks?date=${day}&storeId=${org.stores.b}`, org.tokens.managerA).expect(200)).body.items).to.deep.equal([]);
      const hq = await api.get(`/api/tasks?date=${day}`, org.tokens.hq).expect(200);
      expect(hq.body.summary.total).to.equal(3);
      const one = await api.get(`/api/tasks?date=${day}&staffId=${org.staff.b1}`, org.tokens.hq).expect(200);
      expect(one.body.items.map((x: { staffId: string }) => x.staffId)).to.deep.equal([org.staff.b1]);
      const today = await api.get('/api/tasks', org.tokens.managerA).expect(200);
      expect(today.body.date).to.equal('2026-11-22');
      await api.get('/api/tasks', org.tokens.staffA).expect(403);
    });

    it('counts tasks per store, staff member and day with a completion rate', async () => {
      const days = ['2026-11-27', '2026-11-28'];
      const scopeAll = { corpId: org.corpId, storeIds: null };
      const hq = { role: 'hq_admin' as const, staffId: null };
      const x = await Promise.all([0, 1, 2, 3].map(() => s.tasks.createOnce(task({ localDate: days[0] }))));
      await s.tasks.complete(scopeAll, x[0]!.id, hq);
      await s.tasks.complete(scopeAll, x[1]!.id, hq);
      await s.tasks.skip(scopeAll, x[2]!.id, '客户拒绝', hq);
      await s.tasks.createOnce(task({ localDate: days[1] }));
      await s.tasks.createOnce(task({ localDate: days[0], storeId: org.stores.b, staffId: org.staff.b1 }));

      const rows = await s.tasks.counts(scopeAll, { from: days[0]!, to: days[1]! });
      expect(rows).to.deep.include({ storeId: org.stores.a, staffId: org.staff.a2, localDate: days[0], total: 4, open: 1, done: 2, skipped: 1, completionRate: 0.5 });
      expect(rows).to.deep.include({ storeId: org.stores.a, staffId: org.staff.a2, localDate: days[1], total: 1, open: 1, done: 0, skipped: 0, completionRate: 0 });
      expect(rows).to.have.length(3);
      const storeA = await s.tasks.counts({ corpId: org.corpId, storeIds: [org.stores.a] }, { from: days[0]!, to: days[0]! });
      expect(storeA.map((r) => r.storeId)).to.deep.equal([org.stores.a]);
    });
  });

  describe('one-time sign-in links', () => {
    const consume = (url: string) => api.raw().get(url);

    it('issues a 24-hour link stored hashed, which signs in once and redirects with a working token', async () => {
      const issued = await api.post(`/api/staff/${org.staff.a2}/login-links`, {}, org.tokens.managerA).expect(201);
      expect(issued.body.url).to.match(/^\/m\/login\?t=[\w-]{43}$/);
      expect(issued.body.expiresAt).to.equal('2026-11-23T02:00:00.000Z');
      // The console shows the full link on this host, and as a QR for the member's phone.
      expect(issued.body.link).to.match(/^http:\/\/127\.0\.0\.1:\d+\/m\/login\?t=/).and.satisfy((l: string) => l.endsWith(issued.body.url));
      expect(issued.body.qrImage).to.match(/^data:image\/svg\+xml;base64,/);
      const secret = issued.body.url.split('t=')[1];
      expect(JSON.stringify(await t.db.models.StaffLoginLink.find({}).lean())).not.to.include(secret);

      const res = await consume(issued.body.url).expect(302);
      expect(res.headers.location).to.match(/^\/m#token=siyu_[0-9a-f]{48}$/);
      expect(res.headers['cache-control']).to.equal('no-store');
      const token = decodeURIComponent(res.headers.location!.split('token=')[1]!);
      const me = await api.get('/api/me', token).expect(200);
      expect(me.body.staff).to.include({ id: org.staff.a2, name: '导购乙', role: 'staff' });
      expect(me.body).to.include({ role: 'staff', today: '2026-11-22' });
      expect(me.body.store).to.include({ id: org.stores.a, name: '上海一店' });
      expect(await t.db.models.Token.countDocuments({ staffId: org.staff.a2, name: 'login link session' })).to.equal(1);

      const reused = await consume(issued.body.url).expect(401);
      expect(reused.headers['content-type']).to.match(/^text\/html/);
      expect(reused.text).to.include('登录链接无效或已过期');
      expect(reused.headers['content-security-policy']).to.include("script-src 'self'");
    });

    it('signs in once when the same link is opened twice at the same moment', async () => {
      const { body } = await api.post(`/api/staff/${org.staff.a2}/login-links`, {}, org.tokens.hq).expect(201);
      const statuses = (await Promise.all([consume(body.url), consume(body.url), consume(body.url)])).map((r) => r.status).sort();
      expect(statuses).to.deep.equal([302, 401, 401]);
    });

    it('refuses an expired link and an incomplete one', async () => {
      const { body } = await api.post(`/api/staff/${org.staff.a2}/login-links`, {}, org.tokens.managerA).expect(201);
      s.clock.advance(24 * 3600_000 + 1000);
      await consume(body.url).expect(401);
      await consume('/m/login').expect(401);
      await consume('/m/login?t=nonsense').expect(401);
    });

    it("lets a store manager link their own store's staff only, HQ anyone; a manager's session keeps the manager role", async () => {
      await api.post(`/api/staff/${org.staff.b1}/login-links`, {}, org.tokens.managerA).expect(404);
      await api.post(`/api/staff/${org.staff.a2}/login-links`, {}, org.tokens.staffA).expect(403);
      await api.post(`/api/staff/${org.staff.a2}/login-links`, {}, org.tokens.marketer).expect(403);
      await api.post(`/api/staff/${org.staff.b1}/login-links`, {}, org.tokens.otherCorp).expect(404);
      await api.post(`/api/staff/${org.staff.b1}/login-links`, {}, org.tokens.hq).expect(201);
      const { body } = await api.post(`/api/staff/${org.staff.a1}/login-links`, {}, org.tokens.managerA).expect(201);
      const res = await consume(body.url).expect(302);
      const me = await api.get('/api/me', decodeURIComponent(res.headers.location!.split('token=')[1]!)).expect(200);
      expect(me.body.role).to.equal('store_manager');
    });
  });

  describe('the /m page', () => {
    it('serves the page, script and styles with their content types and a strict CSP', async () => {
      const page = await api.raw().get('/m').expect(200);
      expect(page.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).to.include("default-src 'none'").and.include("frame-ancestors 'none'");
      expect(page.text).to.include('<html lang="zh-CN">').and.include('/m/app.js');
      expect((await api.raw().get('/m/app.js').expect(200)).headers['content-type']).to.equal('text/javascript; charset=utf-8');
      expect((await api.raw().get('/m/app.css').expect(200)).headers['content-type']).to.equal('text/css; charset=utf-8');
      await api.raw().get('/m/../package.json').expect(404);
      await api.raw().get('/m/staff-task.route.ts').expect(404);
    });
  });
});

describe('WeCom OAuth sign-in: GET /m/oauth', () => {
  const t = useTestDatabase('staff_oauth');
  let h: ChannelHarness;
  let api: ReturnType<typeof http>;

  before(async () => {
    h = await startChannelHarness(t.db);
    api = http(h.services);
  });
  after(async () => h?.stop());

  it('resolves a simulator code to the staff member and redirects with a session token that works on /api/me', async () => {
    const code = h.sim.control.issueOAuthCode('a2');
    const res = await api.raw().get(`/m/oauth?code=${code}`).expect(302);
    expect(res.headers.location).to.match(/^\/m#token=siyu_[0-9a-f]{48}$/);
    const me = await api.get('/api/me', decodeURIComponent(res.headers.location!.split('token=')[1]!)).expect(200);
    expect(me.body.staff).to.include({ userId: 'a2', name: '导购乙' });
    expect(me.body.role).to.equal('staff');
    expect(await t.db.models.Token.countDocuments({ staffId: h.org.staff.a2, name: 'oauth session' })).to.equal(1);
    expect(h.sim.state.oauthCodes.get(code)?.used).to.equal(true);

    const reused = await api.raw().get(`/m/oauth?code=${code}`).expect(401);
    expect(reused.text).to.include('登录链接无效或已过期');
  });

  it('refuses unknown codes, a missing code and WeCom members who are not staff here', async () => {
    await api.raw().get('/m/oauth?code=0000').expect(401);
    await api.raw().get('/m/oauth').expect(401);
    await api.raw().get(`/m/oauth?code=${h.sim.control.issueOAuthCode('stranger')}`).expect(401);
  });

  it("gives a store manager's code a store-manager session", async () => {
    const res = await api.raw().get(`/m/oauth?code=${h.sim.control.issueOAuthCode('a1')}`).expect(302);
    const me = await api.get('/api/me', decodeURIComponent(res.headers.location!.split('token=')[1]!)).expect(200);
    expect(me.body.role).to.equal('store_manager');
  });
});
