import { expect } from 'chai';
import pino from 'pino';
import { fixedClock } from '../server/shared/clock.ts';
import { kfAnswerTestSweepHandler } from './kf-answer-tests.job.ts';

describe('kfAnswerTestSweep job handler', () => {
  it('settles at the clock\'s instant and logs only when something was settled', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const clock = fixedClock('2026-12-07T08:00:00Z');
    const asked: Date[] = [];
    let outcome = { resolved: 0, handedOver: 0 };
    const deps = { settleAnswerTests: async (now: Date) => (asked.push(now), outcome), clock, logger };
    await kfAnswerTestSweepHandler({}, deps);
    expect(lines).to.deep.equal([]);
    outcome = { resolved: 2, handedOver: 1 };
    await kfAnswerTestSweepHandler({}, deps);
    expect(asked.map((d) => d.toISOString())).to.deep.equal(['2026-12-07T08:00:00.000Z', '2026-12-07T08:00:00.000Z']);
    expect(lines.map((l) => [l.msg, l.resolved, l.handedOver])).to.deep.equal([['kf answer tests settled', 2, 1]]);
  });
});
