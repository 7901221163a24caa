import { expect } from 'chai';
import pino from 'pino';
import { fixedClock } from '../server/shared/clock.ts';
import { jobCatalog } from './catalog.ts';
import { kfIdleEndHandler } from './kf-idle.job.ts';

describe('kfIdleEnd job handler', () => {
  it('is a repeating catalog job no longer apart than the shortest idle limit a corp can set (5 min)', () => {
    expect(jobCatalog.kfIdleEnd).to.include({ name: 'kf.idle-end', every: '5 minutes' });
    expect(jobCatalog.kfIdleEnd.payload.safeParse({}).success).to.equal(true);
  });

  it('ends idle sessions at the clock\'s instant and logs only when something was ended or refused', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const clock = fixedClock('2026-12-07T08:00:00Z');
    const asked: Date[] = [];
    let outcome = { ended: 0, refused: 0 };
    const deps = { endIdleSessions: async (now: Date) => (asked.push(now), outcome), clock, logger };
    await kfIdleEndHandler({}, deps);
    expect(lines).to.deep.equal([]);
    outcome = { ended: 3, refused: 1 };
    clock.advance(5 * 60_000);
    await kfIdleEndHandler({}, deps);
    expect(asked.map((d) => d.toISOString())).to.deep.equal(['2026-12-07T08:00:00.000Z', '2026-12-07T08:05:00.000Z']);
    expect(lines.map((l) => [l.msg, l.ended, l.refused])).to.deep.equal([['kf idle sessions ended', 3, 1]]);
  });
});
