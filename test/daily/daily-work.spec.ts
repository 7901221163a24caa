import { expect } from 'chai';
import pino from 'pino';
import { startWecomSimulator, SIM_AGENT_ID, SIM_CORP_ID, SIM_SECRET, type WecomSimulator } from '../../adapters/wecom/simulator/wecom-simulator.ts';
import { startScheduler, type Scheduler } from '../../jobs/scheduler.ts';
import { dueDailyWork } from '../../server/daily/store-daily-work.ts';
import type { TaskKind } from '../../server/tasks/staff-task.schema.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';
import { useSimulatorAccount } from '../support/sim-account.ts';

describe('Store-local daily work: 09:00 task cards and nightly rollups through agenda', function () {
  this.timeout(60_000);
  const t = useTestDatabase('daily_work');
  let services: ReturnType<typeof testServices>;
  let sim: WecomSimulator;
  let org: TestOrg;
  let scheduler: Scheduler;
  let nyStore: string;

  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const task = (staffId: string, storeId: string, kind: TaskKind, localDate: string, status: 'open' | 'done' | 'skipped' = 'open', n = 0) =>
    t.db.models.StaffTask.create({ corpId: org.corpId, key: `t:${staffId}:${kind}:${localDate}:${status}:${n}`, storeId, staffId, kind, title: '任务', localDate, dueAt: services.clock.now(), status });

  before(async () => {
    services = testServices(t.db, { now: '2026-12-02T01:05:00Z' }); // 09:05 in Shanghai, 20:05 the day before in New York
    sim = await startWecomSimulator({ clock: services.clock });
    for (const u of ['a1', 'a2', 'b1']) sim.control.addStaff(u);
    org = await seedTestOrg(services, SIM_CORP_ID);
    const scope = { corpId: org.corpId, storeIds: null };
    nyStore = (await services.org.createStore(scope, { code: 'NY01', name: '纽约店', city: 'New York', region: '海外', timezone: 'America/New_York' })).id;
    await services.org.createStaff(scope, { userId: 'ny1', name: '纽约导购', storeId: nyStore, role: 'staff' });
    await useSimulatorAccount(services, org.corpId, sim, { agentId: String(SIM_AGENT_ID) });
    scheduler = await startScheduler({ services, db: t.db, logger: pino({ level: 'silent' }), roles: ['scheduler'], processEveryMs: 100, staffPageUrl: 'https://siyu.example.com/m', dailyWork: false });
  });
  after(async () => {
    await scheduler.stop();
    await sim.stop();
  });

  it('knows what is due in each store’s own zone', () => {
    const at = new Date('2026-12-02T01:05:00Z');
    expect(dueDailyWork(at, 'Asia/Shanghai')).to.deep.equal([
      { work: 'task_digest', localDate: '2026-12-02' },
      { work: 'sop_rollup', localDate: '2026-12-01' },
    ]);
    // 20:05 on Dec 1 in New York: too late for the morning card, the rollup of Nov 30 is due.
    expect(dueDailyWork(at, 'America/New_York')).to.deep.equal([{ work: 'sop_rollup', localDate: '2026-11-30' }]);
    // 01:59 local: nothing yet; 12:00: the card's window has closed.
    expect(dueDailyWork(new Date('2026-12-01T17:59:00Z'), 'Asia/Shanghai')).to.deep.equal([]);
    expect(dueDailyWork(new Date('2026-12-02T04:00:00Z'), 'Asia/Shanghai')).to.deep.equal([{ work: 'sop_rollup', localDate: '2026-12-01' }]);
  });

  it('sends one 09:00 card per staff member with open tasks, once, even when two processes tick', async () => {
    await task(org.staff.a2, org.stores.a, 'mass_send_confirm', '2026-12-02');
    await task(org.staff.a2, org.stores.a, 'call', '2026-12-02', 'open', 1);
    await task(org.staff.a2, org.stores.a, 'call', '2026-12-01', 'open', 2); // yesterday's, still open: counted
    await task(org.staff.a2, org.stores.a, 'call', '2026-12-02', 'done', 3); // done: not counted
    await task(org.staff.b1, org.stores.b, 'visit', '2026-12-02');
    // a1 has nothing open: no card.
    const [mine, other] = await Promise.all([scheduler.dailyTick(), services.daily.claimDue('another-process')]);
    expect(mine + other.length, 'two stores × (card + rollup) plus the New York rollup, each claimed once').to.equal(5);
    for (const item of other) await scheduler.enqueue(item.work === 'task_digest' ? 'taskDigest' : 'sopRollup', { corpId: item.corpId, storeId: item.storeId, localDate: item.localDate });
    await until('two cards', async () => (await t.db.models.TaskDigest.countDocuments({ status: 'sent' })) === 2);
    const cards = sim.state.appMessages.map((msg) => ({ to: msg.touser, card: msg.body.textcard as { title: string; description: string; url: string } }));
    expect(cards.map((c) => c.to[0]).sort()).to.deep.equal(['a2', 'b1']);
    const a2 = cards.find((c) => c.to[0] === 'a2')!.card;
    expect(a2.title).to.equal("今日任务 3 项 · Today's tasks");
    expect(a2.description).to.include('群发确认 1 项').and.include('电话回访 2 项');
    expect(a2.url).to.equal('https://siyu.example.com/m');
    expect(await scheduler.dailyTick(), 'nothing left to claim today').to.equal(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.state.appMessages).to.have.length(2);
  });

  it('rolls up the previous local day per store and staff member, readable over HTTP by scope', async () => {
    // The rollups claimed above ran already; add yesterday's work and run the job again (it recomputes whole).
    const m = t.db.models;
    const base = { corpId: org.corpId, sopId: 's', sopVersion: 1, enrollmentId: 'e', stepId: 'x', channel: 'wecom_1to1', templateId: 'tpl', priority: 50, tz: 'Asia/Shanghai', dueAt: new Date('2026-12-01T02:00:00Z'), localDay: '2026-12-01' };
    await m.Touch.create([
      { ...base, key: 'r1', contactId: 'c1', storeId: org.stores.a, staffId: org.staff.a2, status: 'sent' },
      { ...base, key: 'r2', contactId: 'c2', storeId: org.stores.a, staffId: org.staff.a2, status: 'skipped', reason: 'suppressed:opted_out' },
      { ...base, key: 'r3', contactId: 'c3', storeId: org.stores.a, staffId: org.staff.a1, status: 'failed', reason: 'vendor:45009' },
      { ...base, key: 'r4', contactId: 'c4', storeId: org.stores.b, staffId: org.staff.b1, status: 'sent' },
      { ...base, key: 'r5', contactId: 'c5', storeId: org.stores.a, staffId: org.staff.a2, status: 'sent', localDay: '2026-12-02' }, // today: not in it
    ]);
    await scheduler.enqueue('sopRollup', { corpId: org.corpId, storeId: org.stores.a, localDate: '2026-12-01' });
    await until('the store A rollup', async () => (await m.SopRollup.countDocuments({ storeId: org.stores.a, localDate: '2026-12-01', 'touches.total': { $gt: 0 } })) === 2);
    const api = http(services);
    const res = await api.get('/api/sop-execution/daily?from=2026-12-01&to=2026-12-01', org.tokens.managerA).expect(200);
    const rows = res.body.items as Array<{ storeId: string; staffId: string; touches: { total: number; sent: number; skipped: number; failed: number; reasons: Record<string, number> }; tasks: { total: number; open: number } }>;
    expect(rows.every((r) => r.storeId === org.stores.a), 'a store manager sees their store only').to.equal(true);
    const a2 = rows.find((r) => r.staffId === org.staff.a2)!;
    expect(a2.touches).to.deep.include({ total: 2, sent: 1, skipped: 1, failed: 0 });
    expect(a2.touches.reasons).to.deep.equal({ 'suppressed:opted_out': 1 });
    expect(a2.tasks).to.deep.include({ total: 1, open: 1 });
    expect(rows.find((r) => r.staffId === org.staff.a1)!.touches).to.deep.include({ total: 1, failed: 1 });
    await api.get('/api/sop-execution/daily?from=2026-12-02&to=2026-12-01', org.tokens.hq).expect(400);
  });
});

describe('09:00 task cards through a WeCom account whose agentId is not the corp’s app', () => {
  const t = useTestDatabase('daily_wrong_agent');
  let services: ReturnType<typeof testServices>;
  let sim: WecomSimulator;
  let org: TestOrg;

  before(async () => {
    services = testServices(t.db, { now: '2026-12-02T01:05:00Z' });
    sim = await startWecomSimulator({ clock: services.clock });
    for (const u of ['a1', 'a2', 'b1']) sim.control.addStaff(u);
    org = await seedTestOrg(services, SIM_CORP_ID);
    // A mistyped WECOM_AGENT_ID: Tencent refuses it (40056), so must the simulator.
    const config = { corpId: SIM_CORP_ID, secret: SIM_SECRET, token: 'tok', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', agentId: String(SIM_AGENT_ID + 1), apiBase: sim.baseUrl };
    await services.channelAccounts.upsertDefault({ corpId: org.corpId, kind: 'wecom', name: 'sim', config });
  });
  after(() => sim.stop());

  it('marks the card failed with errcode 40056 instead of counting it sent, and does not retry it', async () => {
    await t.db.models.StaffTask.create({ corpId: org.corpId, key: 'wrong-agent', storeId: org.stores.a, staffId: org.staff.a2, kind: 'call', title: '任务', localDate: '2026-12-02', dueAt: services.clock.now(), status: 'open' });
    const outcome = await services.daily.sendTaskDigests({ corpId: org.corpId, storeId: org.stores.a, localDate: '2026-12-02' }, 'https://siyu.example.com/m');
    expect(outcome).to.include({ staff: 1, sent: 0, failed: 1 });
    expect(outcome.retry, 'a configuration error is not retried').to.equal(undefined);
    const digest = await t.db.models.TaskDigest.findOne({ corpId: org.corpId, staffId: org.staff.a2 }).lean();
    expect(digest).to.include({ status: 'failed', vendorId: null });
    expect(digest!.error!.errcode).to.equal(40056);
    expect(sim.state.appMessages).to.have.length(0);
    expect(sim.control.requests('message/send').map((r) => r.errcode)).to.deep.equal([40056]);
  });
});
