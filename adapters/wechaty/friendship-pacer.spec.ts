import { expect } from 'chai';
import { friendAddPacingSchema, nextFriendAddAt } from './friendship-pacer.ts';
import type { FriendAddPacing } from './friendship-pacer.ts';

// Asia/Shanghai is UTC+8 all year: 09:00 local = 01:00Z, 18:00 local = 10:00Z. 2026-06-01 is a Monday.
const SHANGHAI: FriendAddPacing = {
  timeZone: 'Asia/Shanghai',
  workingHours: { start: '09:00', end: '18:00' },
  workingDays: [1, 2, 3, 4, 5],
  dailyCap: 3,
  minGapMinutes: 10,
};
const d = (iso: string) => new Date(iso);
const next = (sent: string[], now: string, pacing: FriendAddPacing = SHANGHAI) => nextFriendAddAt(pacing, sent.map(d), d(now))?.toISOString() ?? null;

describe('nextFriendAddAt', () => {
  describe('working hours', () => {
    it('allows a request now inside working hours', () => {
      expect(next([], '2026-06-01T03:00:00.000Z')).to.equal('2026-06-01T03:00:00.000Z');
    });

    it('waits for the window to open in the morning', () => {
      expect(next([], '2026-05-31T23:00:00.000Z')).to.equal('2026-06-01T01:00:00.000Z');
    });

    it('treats the end of the window as closed and moves to the next working day', () => {
      expect(next([], '2026-06-01T10:00:00.000Z')).to.equal('2026-06-02T01:00:00.000Z');
    });

    it('skips days that are not working days (Friday evening → Monday morning)', () => {
      expect(next([], '2026-06-05T11:00:00.000Z')).to.equal('2026-06-08T01:00:00.000Z');
    });
  });

  describe('minimum gap', () => {
    it('waits until the gap after the latest request has passed', () => {
      const sent = ['2026-06-01T02:00:00.000Z', '2026-06-01T02:55:00.000Z'];
      expect(next(sent, '2026-06-01T03:00:00.000Z')).to.equal('2026-06-01T03:05:00.000Z');
    });

    it('allows a request exactly when the gap has passed', () => {
      expect(next(['2026-06-01T02:50:00.000Z'], '2026-06-01T03:00:00.000Z')).to.equal('2026-06-01T03:00:00.000Z');
    });

    it('moves to the next working day when the gap ends after closing time', () => {
      expect(next(['2026-06-01T09:55:00.000Z'], '2026-06-01T09:58:00.000Z')).to.equal('2026-06-02T01:00:00.000Z');
    });
  });

  describe('daily cap', () => {
    const three = ['2026-06-01T01:00:00.000Z', '2026-06-01T02:00:00.000Z', '2026-06-01T03:00:00.000Z'];

    it('moves to the next working day once today’s cap is used up', () => {
      expect(next(three, '2026-06-01T05:00:00.000Z')).to.equal('2026-06-02T01:00:00.000Z');
    });

    it('does not count yesterday’s requests against today', () => {
      expect(next(three, '2026-06-02T01:30:00.000Z')).to.equal('2026-06-02T01:30:00.000Z');
    });

    it('allows the last request of the day while under the cap', () => {
      expect(next(three.slice(0, 2), '2026-06-01T05:00:00.000Z')).to.equal('2026-06-01T05:00:00.000Z');
    });

    it('returns null when the cap is 0 (the account never sends)', () => {
      expect(next([], '2026-06-01T03:00:00.000Z', { ...SHANGHAI, dailyCap: 0 })).to.equal(null);
    });
  });

  describe('another time zone', () => {
    const LOS_ANGELES: FriendAddPacing = { ...SHANGHAI, timeZone: 'America/Los_Angeles', workingDays: [1, 2, 3, 4, 5, 6, 7], dailyCap: 1 };

    it('counts the cap per local day, not per UTC day', () => {
      // Sent Monday 18:00 PDT (Tuesday 01:00Z); Tuesday 09:00 PDT is a new local day.
      expect(next(['2026-06-02T01:00:00.000Z'], '2026-06-02T16:00:00.000Z', LOS_ANGELES)).to.equal('2026-06-02T16:00:00.000Z');
    });

    it('opens at local wall time across a DST change (New York springs forward on 2026-03-08)', () => {
      const newYork = { ...LOS_ANGELES, timeZone: 'America/New_York' };
      // Saturday 18:00 EST → Sunday 09:00 EDT, which is 13:00Z (not 14:00Z, as 24 hours later would give).
      expect(next([], '2026-03-07T23:00:00.000Z', newYork)).to.equal('2026-03-08T13:00:00.000Z');
    });

    it('reads working hours in the account zone, not the server zone', () => {
      // 10:00 in Shanghai is 19:00 PDT the day before: closed in Los Angeles.
      expect(next([], '2026-06-02T02:00:00.000Z', SHANGHAI)).to.equal('2026-06-02T02:00:00.000Z');
      expect(next([], '2026-06-02T02:00:00.000Z', LOS_ANGELES)).to.equal('2026-06-02T16:00:00.000Z');
    });
  });
});

describe('friendAddPacingSchema', () => {
  const valid = { timeZone: 'Asia/Shanghai', workingHours: { start: '09:30', end: '18:00' }, dailyCap: 20, minGapMinutes: 10 };

  it('defaults to every day of the week', () => {
    expect(friendAddPacingSchema.parse(valid).workingDays).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects an unknown zone, a malformed time and a window that ends before it starts', () => {
    expect(friendAddPacingSchema.safeParse({ ...valid, timeZone: 'Mars/Olympus' }).success).to.equal(false);
    expect(friendAddPacingSchema.safeParse({ ...valid, workingHours: { start: '9:30', end: '18:00' } }).success).to.equal(false);
    expect(friendAddPacingSchema.safeParse({ ...valid, workingHours: { start: '18:00', end: '09:30' } }).success).to.equal(false);
  });
});
