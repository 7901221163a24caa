import { expect } from 'chai';
import pino from 'pino';
import type { z } from 'zod';
import { createMetrics } from '../server/system/metrics.ts';
import { useTestDatabase } from '../test/support/database.ts';
import { testServices } from '../test/support/test-app.ts';
import { jobCatalog, type JobSpec } from './catalog.ts';
import { startScheduler } from './scheduler.ts';

describe('startScheduler', () => {
  const t = useTestDatabase('scheduler');

  it('runs a catalog job once even with two scheduler processes on one database', async function () {
    this.timeout(30_000);
    const deps = { services: testServices(t.db, { realClock: true }), db: t.db, logger: pino({ level: 'silent' }), roles: ['scheduler'], processEveryMs: 200, staffPageUrl: 'http://127.0.0.1/m', dailyWork: false };
    const metricsA = createMetrics();
    const metricsB = createMetrics();
    const a = await startScheduler({ ...deps, metrics: metricsA });
    const b = await startScheduler({ ...deps, metrics: metricsB });
    try {
      await a.enqueue('heartbeat', {});
      const deadline = Date.now() + 15_000;
      let beats = 0;
      while (Date.now() < deadline) {
        beats = await t.db.models.Heartbeat.countDocuments({});
        if (beats > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(beats).to.equal(1);
      const ok = async (m: ReturnType<typeof createMetrics>) => (await m.jobs.get()).values.filter((v) => v.labels.outcome === 'ok').reduce((n, v) => n + v.value, 0);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await ok(metricsA)) + (await ok(metricsB)), 'one run in total, by one of the two').to.equal(1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('repeats each catalog job that has an interval, once across processes, at that interval', async () => {
    const deps = { services: testServices(t.db, { realClock: true }), db: t.db, logger: pino({ level: 'silent' }), roles: ['scheduler'], processEveryMs: 200, staffPageUrl: 'http://127.0.0.1/m', dailyWork: false };
    const a = await startScheduler(deps);
    const b = await startScheduler(deps);
    try {
      const rows = await t.db.connection.collection('agenda_jobs').find({ type: 'single' }).toArray();
      const repeating = (Object.values(jobCatalog) as Array<JobSpec<z.ZodType>>).filter((s) => s.every);
      expect(repeating.length).to.be.greaterThan(0);
      expect(rows.map((r) => [r.name, r.repeatInterval]).sort()).to.deep.equal(repeating.map((s) => [s.name, s.every]).sort());
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('refuses an invalid payload before it is stored', async () => {
    const s = await startScheduler({ services: testServices(t.db, { realClock: true }), db: t.db, logger: pino({ level: 'silent' }), roles: ['scheduler'], processEveryMs: 200, staffPageUrl: 'http://127.0.0.1/m', dailyWork: false });
    try {
      await s.enqueue('heartbeat', { unexpected: true } as never).then(
        () => expect.fail('should refuse'),
        (err: Error) => expect(err.message).to.match(/unexpected/),
      );
    } finally {
      await s.stop();
    }
  });
});
