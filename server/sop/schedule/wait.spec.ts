import { expect } from 'chai';
import { parseDuration } from '../definition/common.schema.ts';
import { addDuration, dayAt, waitEnd } from './wait.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('dayAt (day N at HH:MM, local calendar days from entry)', () => {
  it('counts day 3 from the local entry day for an entry at 23:50 local', () => {
    // 2026-11-22 23:50 in Shanghai; day 3 is Nov 25, not "72 hours later".
    expect(iso(dayAt(3, '10:00', SH, at('2026-11-22T15:50:00Z')))).to.equal('2026-11-25T02:00:00.000Z');
  });

  it('uses the local date, not the UTC date, as day 0', () => {
    // 00:30 on Nov 23 in Shanghai is still Nov 22 in UTC.
    expect(iso(dayAt(1, '10:00', SH, at('2026-11-22T16:30:00Z')))).to.equal('2026-11-24T02:00:00.000Z');
  });

  it('crosses a month end and a year end', () => {
    expect(iso(dayAt(1, '10:00', SH, at('2026-01-31T12:00:00Z')))).to.equal('2026-02-01T02:00:00.000Z');
    expect(iso(dayAt(1, '09:30', SH, at('2026-12-31T14:00:00Z')))).to.equal('2027-01-01T01:30:00.000Z');
  });

  it('lands on Feb 29 in a leap year and skips it otherwise', () => {
    expect(iso(dayAt(1, '10:00', SH, at('2028-02-28T04:00:00Z')))).to.equal('2028-02-29T02:00:00.000Z');
    expect(iso(dayAt(2, '10:00', SH, at('2028-02-28T04:00:00Z')))).to.equal('2028-03-01T02:00:00.000Z');
    expect(iso(dayAt(1, '10:00', SH, at('2027-02-28T04:00:00Z')))).to.equal('2027-03-01T02:00:00.000Z');
  });

  it('keeps the local time across the March DST change in New York', () => {
    // Entry Sat 2026-03-07 12:00 EST; Sunday is EDT (UTC-4), Saturday EST (UTC-5).
    expect(iso(dayAt(0, '10:00', NY, at('2026-03-07T17:00:00Z')))).to.equal('2026-03-07T15:00:00.000Z');
    expect(iso(dayAt(1, '10:00', NY, at('2026-03-07T17:00:00Z')))).to.equal('2026-03-08T14:00:00.000Z');
  });

  it('moves a local time that does not exist (02:30 on Mar 8) to the first valid minute, 03:00 EDT', () => {
    expect(iso(dayAt(1, '02:30', NY, at('2026-03-07T17:00:00Z')))).to.equal('2026-03-08T07:00:00.000Z');
    expect(iso(dayAt(1, '02:00', NY, at('2026-03-07T17:00:00Z')))).to.equal('2026-03-08T07:00:00.000Z');
    expect(iso(dayAt(1, '03:00', NY, at('2026-03-07T17:00:00Z')))).to.equal('2026-03-08T07:00:00.000Z');
  });

  it('takes the earlier instant for a local time that exists twice (01:30 on Nov 1)', () => {
    // 01:30 EDT = 05:30Z comes first; 01:30 EST = 06:30Z an hour later.
    expect(iso(dayAt(1, '01:30', NY, at('2026-10-31T16:00:00Z')))).to.equal('2026-11-01T05:30:00.000Z');
    expect(iso(dayAt(1, '10:00', NY, at('2026-10-31T16:00:00Z')))).to.equal('2026-11-01T15:00:00.000Z');
  });
});

describe('waitEnd', () => {
  it('resumes at once when a day-N moment is already past (day 0 at 10:00, entry 23:50)', () => {
    const entered = at('2026-11-22T15:50:00Z');
    expect(iso(waitEnd({ day: 0, at: '10:00' }, SH, entered, entered))).to.equal('2026-11-22T15:50:00.000Z');
  });

  it('anchors day N on entry, not on the previous step', () => {
    const entered = at('2026-11-22T15:50:00Z');
    const from = at('2026-11-24T01:00:00Z');
    expect(iso(waitEnd({ day: 3, at: '10:00' }, SH, from, entered))).to.equal('2026-11-25T02:00:00.000Z');
  });

  it('counts a duration from the previous step', () => {
    const entered = at('2026-11-22T15:50:00Z');
    const from = at('2026-11-23T01:00:00Z');
    expect(iso(waitEnd({ duration: '2h' }, SH, from, entered))).to.equal('2026-11-23T03:00:00.000Z');
  });
});

describe('addDuration', () => {
  it('adds minutes and hours as elapsed time', () => {
    expect(iso(addDuration('90m', SH, at('2026-11-22T15:50:00Z')))).to.equal('2026-11-22T17:20:00.000Z');
    expect(iso(addDuration('1d12h', SH, at('2026-11-22T00:00:00Z')))).to.equal('2026-11-23T12:00:00.000Z');
  });

  it('adds days as calendar days, keeping the local wall time across spring forward (23 h elapsed)', () => {
    expect(iso(addDuration('1d', NY, at('2026-03-07T15:00:00Z')))).to.equal('2026-03-08T14:00:00.000Z');
    expect(iso(addDuration('24h', NY, at('2026-03-07T15:00:00Z')))).to.equal('2026-03-08T15:00:00.000Z');
  });

  it('adds days across fall back (25 h elapsed)', () => {
    expect(iso(addDuration('1d', NY, at('2026-10-31T14:00:00Z')))).to.equal('2026-11-01T15:00:00.000Z');
  });

  it('moves a wall time lost to spring forward to the first valid minute', () => {
    // Sat 02:30 EST + 1 day = Sun 02:30, which does not exist → 03:00 EDT.
    expect(iso(addDuration('1d', NY, at('2026-03-07T07:30:00Z')))).to.equal('2026-03-08T07:00:00.000Z');
  });

  it('adds weeks and crosses month ends: Jan 31 + 30d is Mar 2, Feb 28 2028 + 1d is Feb 29', () => {
    expect(iso(addDuration('30d', SH, at('2026-01-31T02:00:00Z')))).to.equal('2026-03-02T02:00:00.000Z');
    expect(iso(addDuration('1w', SH, at('2026-02-25T02:00:00Z')))).to.equal('2026-03-04T02:00:00.000Z');
    expect(iso(addDuration('1d', SH, at('2028-02-28T02:00:00Z')))).to.equal('2028-02-29T02:00:00.000Z');
  });
});

describe('parseDuration', () => {
  it('reads w, d, h and m in that order', () => {
    expect(parseDuration('1w2d3h4m')).to.deep.equal({ weeks: 1, days: 2, hours: 3, minutes: 4 });
  });

  it('rejects months and years, which have no fixed length (Jan 31 + 1 month?)', () => {
    for (const text of ['1mo', '1 month', '2months', '1y']) expect(parseDuration(text)).to.match(/不支持月和年.* Months and years are not supported/);
  });

  it('rejects zero, negative, empty and unknown units', () => {
    for (const text of ['0m', '0d0h', '-1d', '', '2 days', '1s', 'h']) expect(parseDuration(text)).to.be.a('string');
  });
});
