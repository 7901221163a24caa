import { expect } from 'chai';
import { daysBetween, instantOfWallTime, isValidTimeZone, localDateOf, resolveLocal } from './local-time.ts';

const NY = 'America/New_York';
const iso = (d: Date) => d.toISOString();

describe('resolveLocal', () => {
  it('resolves an ordinary wall time with the offset in force', () => {
    expect(iso(resolveLocal({ year: 2026, month: 7, day: 1 }, 10 * 60, NY))).to.equal('2026-07-01T14:00:00.000Z');
    expect(iso(resolveLocal({ year: 2026, month: 1, day: 1 }, 10 * 60, NY))).to.equal('2026-01-01T15:00:00.000Z');
  });

  it('moves every wall time inside the spring-forward gap to 03:00 EDT', () => {
    for (const minute of [120, 121, 150, 179]) {
      expect(iso(resolveLocal({ year: 2026, month: 3, day: 8 }, minute, NY))).to.equal('2026-03-08T07:00:00.000Z');
    }
    expect(iso(resolveLocal({ year: 2026, month: 3, day: 8 }, 119, NY))).to.equal('2026-03-08T06:59:00.000Z');
  });

  it('takes the earlier of two instants in the fall-back hour, or the first not before a bound', () => {
    const date = { year: 2026, month: 11, day: 1 };
    expect(iso(resolveLocal(date, 90, NY))).to.equal('2026-11-01T05:30:00.000Z');
    expect(iso(resolveLocal(date, 90, NY, new Date('2026-11-01T06:00:00Z')))).to.equal('2026-11-01T06:30:00.000Z');
  });

  it('handles a zone whose gap is not at 02:00 (Europe/London: 01:00–02:00 on 2026-03-29)', () => {
    expect(iso(instantOfWallTime(Date.UTC(2026, 2, 29, 1, 30), 'Europe/London'))).to.equal('2026-03-29T01:00:00.000Z');
  });

  it('rejects an unknown zone', () => {
    expect(isValidTimeZone('Asia/Shanghai')).to.equal(true);
    expect(isValidTimeZone('Mars/Olympus')).to.equal(false);
    expect(() => resolveLocal({ year: 2026, month: 1, day: 1 }, 0, 'Mars/Olympus')).to.throw(RangeError);
  });
});

describe('localDateOf and daysBetween', () => {
  it('reads the local calendar date and counts local days across a DST change', () => {
    expect(localDateOf(new Date('2026-11-22T16:30:00Z'), 'Asia/Shanghai')).to.deep.equal({ year: 2026, month: 11, day: 23 });
    expect(daysBetween({ year: 2026, month: 3, day: 7 }, { year: 2026, month: 3, day: 9 })).to.equal(2);
    expect(daysBetween({ year: 2028, month: 2, day: 28 }, { year: 2028, month: 3, day: 1 })).to.equal(2);
  });
});
