import { expect } from 'chai';
import { fixedClock } from '../shared/clock.ts';
import { CallbackGuard } from './callback-guard.ts';
import type { CallbackReplayRepository, ReplayKey } from './callback-replay.repository.ts';

/** The replay store in memory: what the guard needs of callback-replay.repository.ts, without a database. */
function memoryReplays(): Pick<CallbackReplayRepository, 'remember' | 'digestOf'> & { rows: ReplayKey[] } {
  const rows: ReplayKey[] = [];
  return {
    rows,
    remember: async (row) => {
      if (rows.some((r) => r.accountId === row.accountId && r.key === row.key)) return false;
      rows.push(row);
      return true;
    },
    digestOf: async (accountId, key) => rows.find((r) => r.accountId === accountId && r.key === key)?.digest ?? null,
  };
}

describe('CallbackGuard over an in-memory replay store', () => {
  const signedAt = new Date('2026-11-22T02:00:00Z');
  const plain = { signedAt, replayKey: '1795000000:nonce:sig', signsPayload: false };

  it('accepts a timestamp within the window and refuses one outside it, either way, with 401', () => {
    const clock = fixedClock('2026-11-22T02:04:59Z');
    const guard = new CallbackGuard(memoryReplays(), clock, 300);
    expect(guard.stale(plain)).to.equal(null);
    clock.set('2026-11-22T02:05:01Z');
    expect(guard.stale(plain)).to.include({ status: 401 });
    clock.set('2026-11-22T01:54:59Z');
    expect(guard.stale(plain)?.reason).to.match(/in the future/);
  });

  it('remembers parameters not covered by the signature; the same payload again is a retry, another one a replay', async () => {
    const replays = memoryReplays();
    const guard = new CallbackGuard(replays, fixedClock(signedAt), 300);
    expect(await guard.replayed('acc', plain, '<xml>a</xml>')).to.equal(null);
    expect(await guard.replayed('acc', plain, '<xml>a</xml>')).to.equal(null);
    expect(await guard.replayed('acc', plain, '<xml>b</xml>')).to.include({ status: 401 });
    expect(await guard.replayed('other-account', plain, '<xml>b</xml>'), 'keys are per account').to.equal(null);
    expect(replays.rows[0]!.expiresAt.toISOString(), 'kept until the timestamp leaves the window').to.equal('2026-11-22T02:05:00.000Z');
  });

  it('writes nothing when the signature covers the payload (the inbox dedupe answers replays)', async () => {
    const replays = memoryReplays();
    const guard = new CallbackGuard(replays, fixedClock(signedAt), 300);
    expect(await guard.replayed('acc', { ...plain, signsPayload: true }, '<xml>a</xml>')).to.equal(null);
    expect(replays.rows).to.deep.equal([]);
  });
});
