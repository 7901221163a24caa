import { expect } from 'chai';
import pino from 'pino';
import { kfRollupHandler } from '../../jobs/kf-rollup.job.ts';
import { startScheduler, type Scheduler } from '../../jobs/scheduler.ts';
import { useTestDatabase } from '../support/database.ts';
import { http, seedTestOrg, testServices, type TestOrg } from '../support/test-app.ts';

type Row = { key: string; sessions: number; fcrRate: number | null; fcrJudged: number; rated: number; satisfaction: number | null; handoverRate: number | null; botHitRate: number | null };
type Counts = { key: string; sessions: number; fcrJudged: number; fcrResolved: number; rated: number; ratingSum: number };
type DayDoc = { day: string; timeZone: string; accounts: Counts[]; agents: Counts[]; computedAt: Date };
type Stats = { from: string; to: string; timeZone: string; rows: Row[]; truncated: boolean; days: { rollup: string[]; live: string[] }; fcrJudgedBefore: string };

describe('kf numbers: first-contact resolution, the nightly rollup through agenda, GET /api/kf/stats', function () {
  this.timeout(60_000);
  const t = useTestDatabase('kf_numbers');
  let services: ReturnType<typeof testServices>;
  let org: TestOrg;
  let scheduler: Scheduler;
  let api: ReturnType<typeof http>;
  const NOW = '2026-12-07T02:00:00Z'; // 10:00 on Dec 7 in Shanghai
  const at = (iso: string) => new Date(iso);
  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stats = async (query: string): Promise<Stats> => (await api.get(`/api/kf/stats?${query}`, org.tokens.hq).expect(200)).body as Stats;
  const byKey = (s: Stats): Record<string, Row> => Object.fromEntries(s.rows.map((r) => [r.key, r]));
  let liveA1: Row;

  let invoice: { id: string; version: number };
  let milk: { id: string; version: number };
  const session = (user: string, startedAt: string, opts: { endedAt?: string; answered?: { id: string; version: number }; servicer?: string; category?: string; rating?: number; account?: string } = {}) => ({
    corpId: org.corpId,
    openKfId: opts.account ?? 'wkA',
    externalUserId: user,
    state: (opts.endedAt ? 4 : 1) as 1 | 4,
    startedAt: at(startedAt),
    lastMessageAt: at(startedAt),
    firstBotResponseAt: opts.answered ? at(startedAt) : null,
    handedOverAt: opts.servicer ? at(startedAt) : null,
    servicerUserId: opts.servicer ?? null,
    endedAt: opts.endedAt ? at(opts.endedAt) : null,
    category: opts.category ?? null,
    rating: opts.rating ?? null,
    botAnswers: opts.answered ? 1 : 0,
    messages: [
      { msgId: `${user}-${startedAt}-q`, from: 'customer' as const, text: '问题', at: at(startedAt) },
      ...(opts.answered ? [{ msgId: `${user}-${startedAt}-a`, from: 'bot' as const, text: '答案', at: at(startedAt), entryId: opts.answered.id, entryVersion: opts.answered.version }] : []),
    ],
  });

  before(async () => {
    services = testServices(t.db, { now: NOW });
    org = await seedTestOrg(services);
    invoice = await services.kf.createEntry(org.corpId, { question: '怎么开发票？', answer: { text: '订单详情里申请开票。' }, category: '发票' }, 'test');
    milk = await services.kf.createEntry(org.corpId, { question: '鲜奶保质期多久？', answer: { text: '冷藏 7 天。' }, category: '产品' }, 'test');
    // The entry moves to another category later: a past answer stays about what it was then (version 1: 产品).
    await services.kf.updateEntry(org.corpId, milk.id, { category: '保质期' }, 'test');
    await t.db.models.KfSession.create([
      // Dec 3: u1 asks about 发票, ends; is back on 发票 the next day: not resolved at first contact.
      session('u1', '2026-12-03T02:00:00Z', { endedAt: '2026-12-03T02:30:00Z', answered: invoice }),
      // Dec 4: that second session; nothing follows: resolved.
      session('u1', '2026-12-04T02:00:00Z', { endedAt: '2026-12-04T02:30:00Z', answered: invoice }),
      // Dec 4: u2 handed over to a1, who ends it as 售后; rated 很满意. u2's next question (Dec 5) is about 产品: resolved.
      session('u2', '2026-12-04T02:40:00Z', { endedAt: '2026-12-04T03:00:00Z', servicer: 'a1', category: '售后', rating: 3, account: 'wkB' }),
      // Dec 5: ended less than 48 h before now: not judged yet.
      session('u2', '2026-12-05T02:00:00Z', { endedAt: '2026-12-05T02:30:00Z', answered: milk }),
      // Dec 5 (08:30 in Shanghai, still Dec 4 in UTC): a1 ends it as 产品; u3 is back on Dec 6 with an answer from milk v1 (产品).
      session('u3', '2026-12-05T00:30:00Z', { endedAt: '2026-12-05T01:00:00Z', servicer: 'a1', category: '产品', rating: 1, account: 'wkB' }),
      // Dec 6: still open.
      session('u3', '2026-12-06T02:00:00Z', { answered: milk }),
      // Dec 7 (today): computed live.
      session('u4', '2026-12-07T01:00:00Z', { answered: invoice }),
    ]);
    scheduler = await startScheduler({ services, db: t.db, logger: pino({ level: 'silent' }), roles: ['scheduler'], processEveryMs: 100, staffPageUrl: 'https://siyu.example.com/m', dailyWork: false });
    api = http(services);
  });
  after(async () => scheduler.stop());

  it('computes live, per day in the corp’s zone, first-contact resolution from categories of the time (not yet judged within 48 h)', async () => {
    const s = await stats('from=2026-12-03&to=2026-12-08&by=day');
    expect(s.timeZone, 'the corp’s zone').to.equal('Asia/Shanghai');
    expect(s.days).to.deep.equal({ rollup: [], live: ['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'] });
    expect(s.fcrJudgedBefore).to.equal('2026-12-05T02:00:00.000Z');
    const rows = byKey(s);
    expect(Object.keys(rows)).to.deep.equal(['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07']);
    expect(rows['2026-12-03']).to.include({ sessions: 1, fcrJudged: 1, fcrRate: 0 });
    expect(rows['2026-12-04']).to.include({ sessions: 2, fcrJudged: 2, fcrRate: 1, handoverRate: 0.5, rated: 1, satisfaction: 3 });
    // u3's 产品 question came back (milk was 产品 at version 1, though it is 保质期 now); u2's Dec 5 session ended 47.5 h ago.
    expect(rows['2026-12-05']).to.include({ sessions: 2, fcrJudged: 1, fcrRate: 0 });
    expect(rows['2026-12-06']).to.include({ sessions: 1, fcrJudged: 0, fcrRate: null });
    const agents = byKey(await stats('from=2026-12-03&to=2026-12-08&by=agent'));
    liveA1 = agents.a1!;
    expect(agents.a1).to.include({ sessions: 2, fcrJudged: 2, fcrRate: 0.5, rated: 2, satisfaction: 2 });
    expect(agents['智能助手']).to.include({ sessions: 5 });
  });

  it('the nightly job (agenda, cron in the catalog) rolls up the last three local days per account and servicer, and a rerun replaces them', async () => {
    const job = await t.db.connection.collection('agenda_jobs').findOne({ name: 'kf.daily-rollup', type: 'single' });
    expect(job?.repeatInterval, 'the cron time from the catalog').to.equal('20 0 * * *');
    expect(job?.repeatTimezone).to.equal('Asia/Shanghai');
    expect((job?.nextRunAt as Date).toISOString().slice(11, 16), '00:20 in Shanghai').to.equal('16:20');

    await scheduler.enqueue('kfRollup', {});
    await until('three rolled-up days', async () => (await t.db.models.KfStatsDay.countDocuments({ corpId: org.corpId })) === 3);
    const docs = await t.db.models.KfStatsDay.find({ corpId: org.corpId }).sort({ day: 1 }).lean<DayDoc[]>();
    expect(docs.map((d) => d.day)).to.deep.equal(['2026-12-04', '2026-12-05', '2026-12-06']);
    const dec4 = docs[0]!;
    expect(dec4.timeZone).to.equal('Asia/Shanghai');
    expect(dec4.accounts.map((a) => [a.key, a.sessions, a.fcrJudged, a.fcrResolved])).to.have.deep.members([['wkA', 1, 1, 1], ['wkB', 1, 1, 1]]);
    expect(dec4.agents.map((a) => [a.key, a.sessions, a.rated, a.ratingSum])).to.have.deep.members([['a1', 1, 1, 3], ['智能助手', 1, 0, 0]]);

    // One day on demand (Dec 3), then the nightly run again after a late rating: the same documents, new numbers.
    await scheduler.enqueue('kfRollup', { corpId: org.corpId, localDate: '2026-12-03' });
    await until('Dec 3 rolled up', async () => (await t.db.models.KfStatsDay.countDocuments({ corpId: org.corpId, day: '2026-12-03' })) === 1);
    await t.db.models.KfSession.updateOne({ corpId: org.corpId, externalUserId: 'u1', startedAt: at('2026-12-04T02:00:00Z') }, { $set: { rating: 2 } });
    const first = docs[0]!.computedAt;
    services.clock.advance(60_000);
    await scheduler.enqueue('kfRollup', {});
    await until('the rerun', async () => ((await t.db.models.KfStatsDay.findOne({ corpId: org.corpId, day: '2026-12-04' }).lean<DayDoc>())?.computedAt ?? first) > first);
    expect(await t.db.models.KfStatsDay.countDocuments({ corpId: org.corpId }), 'replaced, not added').to.equal(4);
    const again = (await t.db.models.KfStatsDay.findOne({ corpId: org.corpId, day: '2026-12-04' }).lean<DayDoc>())!;
    expect(again.accounts.find((a) => a.key === 'wkA')).to.include({ sessions: 1, rated: 1, ratingSum: 2 });
  });

  it('GET /api/kf/stats serves rolled-up days from the rollup and computes today live', async () => {
    // The sessions of Dec 3 go away: the rolled-up day still reads as it was computed.
    await t.db.models.KfSession.deleteMany({ corpId: org.corpId, startedAt: { $lt: at('2026-12-03T16:00:00Z') } });
    const s = await stats('from=2026-12-03&to=2026-12-08&by=day');
    expect(s.days).to.deep.equal({ rollup: ['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'], live: ['2026-12-07'] });
    const rows = byKey(s);
    expect(rows['2026-12-03']).to.include({ sessions: 1, fcrJudged: 1, fcrRate: 0 });
    expect(rows['2026-12-04']).to.include({ sessions: 2, rated: 2, satisfaction: 2.5 });
    expect(rows['2026-12-07']).to.include({ sessions: 1, botHitRate: 1 });
    // Servicer rows sum the rolled-up days and today to exactly what the live computation said.
    const agents = byKey(await stats('from=2026-12-03&to=2026-12-08&by=agent'));
    expect(agents.a1).to.deep.equal(liveA1);
    expect(agents['智能助手']).to.include({ sessions: 5, rated: 1 });
    // In another zone the rollup (Shanghai days) does not apply: computed live.
    expect((await stats('from=2026-12-03&to=2026-12-08&tz=UTC')).days.rollup).to.deep.equal([]);
    // Without a period: the last 7 local days, today included.
    expect(await stats('by=day')).to.include({ from: '2026-12-01', to: '2026-12-08' });
    // The corp moves to New York: its days are New York days now, so the Shanghai rollup no longer applies.
    await services.org.upsertCorp({ corpId: org.corpId, name: '测试企业', timezone: 'America/New_York' });
    const ny = await stats('by=day');
    expect(ny).to.include({ timeZone: 'America/New_York', from: '2026-11-30', to: '2026-12-07' });
    expect(ny.days.rollup).to.deep.equal([]);
    await services.org.upsertCorp({ corpId: org.corpId, name: '测试企业', timezone: 'Asia/Shanghai' });
  });

  it('refuses a period that is empty or too long, and an unknown zone', async () => {
    await api.get('/api/kf/stats?from=2026-12-05&to=2026-12-05', org.tokens.hq).expect(400);
    await api.get('/api/kf/stats?from=2024-01-01&to=2026-12-05', org.tokens.hq).expect(400);
    await api.get('/api/kf/stats?tz=Mars/Base', org.tokens.hq).expect(400);
  });

  it('the job handler rolls up every other corp when one fails, then fails so agenda retries', async () => {
    const done: string[] = [];
    const run = kfRollupHandler(
      {},
      {
        corps: async () => ['c1', 'c2', 'c3'],
        recent: async (corpId) => {
          if (corpId === 'c2') throw new Error('database hiccup');
          done.push(corpId);
          return [];
        },
        day: async () => undefined,
        logger: pino({ level: 'silent' }),
      },
    );
    await run.then(
      () => expect.fail('should fail'),
      (err: Error) => expect(err.message).to.match(/c2/),
    );
    expect(done).to.deep.equal(['c1', 'c3']);
  });
});
