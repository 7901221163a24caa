import { expect } from 'chai';
import pino from 'pino';
import { fixedClock } from '../server/shared/clock.ts';
import type { Scope } from '../server/shared/scope.ts';
import { jobCatalog } from './catalog.ts';
import { sopRollupHandler, taskDigestHandler } from './store-daily.job.ts';
import { autoWinnerSweepHandler, campaignTickHandler, handoverPollHandler, liveCodeRefreshHandler } from './sweeps.job.ts';

/** A real pino logger whose lines are kept for assertions. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines, messages: () => lines.map((l) => l.msg) };
}

describe('job handlers over the narrow dependencies they declare', () => {
  const day = { corpId: 'corp1', storeId: 'store1', localDate: '2026-12-02' };

  it('taskDigest sends the store day’s cards, logs the outcome and throws when cards were left for a retry', async () => {
    const log = capturedLogger();
    const asked: unknown[] = [];
    await taskDigestHandler(day, { sendTaskDigests: async (d) => (asked.push(d), { staff: 2, sent: 2, failed: 0 }), logger: log.logger });
    expect(asked).to.deep.equal([day]);
    expect(log.lines[0]).to.include({ ...day, sent: 2, msg: 'task digest' });

    const failing = taskDigestHandler(day, { sendTaskDigests: async () => ({ failed: 3, retry: true }), logger: log.logger });
    await failing.then(
      () => expect.fail('a card left pending must fail the job so agenda retries it'),
      (err: Error) => expect(err.message).to.equal('task digest: 3 card(s) left pending after a transient vendor error'),
    );
  });

  it('sopRollup rolls up exactly the payload’s store day', async () => {
    const asked: unknown[] = [];
    await sopRollupHandler(day, { rollupStoreDay: async (d) => asked.push(d) });
    expect(asked).to.deep.equal([day]);
  });

  it('autoWinnerSweep logs only when an experiment was decided', async () => {
    const log = capturedLogger();
    await autoWinnerSweepHandler({}, { sweepAutoWinners: async () => [], logger: log.logger });
    expect(log.lines).to.deep.equal([]);
    await autoWinnerSweepHandler({}, { sweepAutoWinners: async () => [{ corpId: 'c', experimentId: 'e', arm: 'b' }], logger: log.logger });
    expect(log.messages()).to.deep.equal(['auto-winner decided']);
  });

  it('liveCodeRefresh refreshes each corp with active codes corp-wide and logs the corps where something changed', async () => {
    const log = capturedLogger();
    const scopes: Scope[] = [];
    await liveCodeRefreshHandler({}, {
      corpsWithActiveCodes: async () => ['c1', 'c2'],
      refreshAll: async (scope) => (scopes.push(scope), scope.corpId === 'c2' ? { expired: 1, changed: 0 } : { expired: 0, changed: 0 }),
      logger: log.logger,
    });
    expect(scopes).to.deep.equal([{ corpId: 'c1', storeIds: null }, { corpId: 'c2', storeIds: null }]);
    expect(log.lines.map((l) => [l.corpId, l.msg])).to.deep.equal([['c2', 'live codes refreshed']]);
  });

  it('handoverPoll polls every corp with a running handover at one instant from the clock', async () => {
    const log = capturedLogger();
    const clock = fixedClock('2026-12-02T03:00:00Z');
    const polls: Array<[string, string]> = [];
    await handoverPollHandler({}, {
      corpsWithRunningHandovers: async () => ['c1', 'c2'],
      pollDue: async (corpId, now) => {
        polls.push([corpId, now.toISOString()]);
        clock.advance(60_000); // a slow poll does not move the instant the next corp is polled at
        return { jobs: corpId === 'c1' ? 2 : 0 };
      },
      clock,
      logger: log.logger,
    });
    expect(polls).to.deep.equal([['c1', '2026-12-02T03:00:00.000Z'], ['c2', '2026-12-02T03:00:00.000Z']]);
    expect(log.lines.map((l) => [l.corpId, l.msg])).to.deep.equal([['c1', 'handovers polled']]);
  });

  it('campaignTick ticks every corp with a running campaign and logs only when something moved', async () => {
    const log = capturedLogger();
    const ticked: string[] = [];
    await campaignTickHandler({}, {
      corpsWithRunningCampaigns: async () => ['c1', 'c2'],
      tick: async (corpId) => (ticked.push(corpId), corpId === 'c1' ? { assigned: 0, recycled: 0 } : { assigned: 4, recycled: 0 }),
      clock: fixedClock('2026-12-02T03:00:00Z'),
      logger: log.logger,
    });
    expect(ticked).to.deep.equal(['c1', 'c2']);
    expect(log.lines.map((l) => [l.corpId, l.assigned, l.msg])).to.deep.equal([['c2', 4, 'campaigns tick']]);
  });
});

describe('jobCatalog', () => {
  it('gives every job its own agenda name, at least one attempt and a lock', () => {
    const specs = Object.values(jobCatalog);
    expect(new Set(specs.map((s) => s.name)).size, 'agenda.define would silently replace a job of the same name').to.equal(specs.length);
    for (const spec of specs) {
      expect(spec.retry.attempts, spec.name).to.be.at.least(1);
      expect(spec.lockLifetimeMs, spec.name).to.be.greaterThan(0);
    }
  });
});
