import { expect } from 'chai';
import { cronProblem, nextCronRun, parseCron } from './cron.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const at = (iso: string) => new Date(iso);
const next = (expr: string, tz: string, after: string) => nextCronRun(expr, tz, at(after))?.toISOString();

describe('parseCron', () => {
  it('expands ranges, lists, steps, names and weekday 7 as Sunday', () => {
    const spec = parseCron('*/15 9-11,18 1 jan-mar/2 sun,7,MON');
    expect(spec).to.not.be.a('string');
    if (typeof spec === 'string') return;
    expect(spec.minutes).to.deep.equal([0, 15, 30, 45]);
    expect(spec.hours).to.deep.equal([9, 10, 11, 18]);
    expect([...spec.months]).to.deep.equal([1, 3]);
    expect([...spec.daysOfWeek].sort()).to.deep.equal([0, 1]);
    expect(spec.eitherDay).to.equal(true);
  });

  const invalid: [string, RegExp][] = [
    ['0 9 * *', /5 fields/],
    ['@daily', /5 fields/],
    ['60 9 * * *', /minute "60" is outside 0–59/],
    ['0 24 * * *', /hour/],
    ['0 9 0 * *', /day-of-month/],
    ['0 9 * 13 *', /month/],
    ['0 9 * * 8', /day-of-week/],
    ['0 9 5-1 * *', /backwards/],
    ['*/0 9 * * *', /step/],
    ['0 9 1,,2 * *', /not a number/],
    ['0 9 * * funday', /day-of-week/],
    ['0 0 30 2 *', /never fires/],
    ['0 0 31 4,6 *', /never fires/],
  ];
  for (const [expr, reason] of invalid) {
    it(`rejects "${expr}"`, () => expect(cronProblem(expr)).to.match(reason));
  }

  it('accepts Feb 29, which happens in leap years', () => {
    expect(cronProblem('0 10 29 2 *')).to.equal(undefined);
  });
});

describe('nextCronRun', () => {
  it('finds the next Monday 09:00 in the store zone', () => {
    // Sun 2026-11-22 12:00 Shanghai → Mon 09:00 = 01:00Z.
    expect(next('0 9 * * 1', SH, '2026-11-22T04:00:00Z')).to.equal('2026-11-23T01:00:00.000Z');
    expect(next('0 9 * * 1', NY, '2026-11-22T04:00:00Z')).to.equal('2026-11-23T14:00:00.000Z');
  });

  it('is strictly after the given instant', () => {
    expect(next('0 9 * * 1', SH, '2026-11-23T01:00:00Z')).to.equal('2026-11-30T01:00:00.000Z');
  });

  it('skips months without day 31 and finds Feb 29 in the next leap year', () => {
    expect(next('0 10 31 * *', SH, '2026-04-01T00:00:00Z')).to.equal('2026-05-31T02:00:00.000Z');
    expect(next('0 10 29 2 *', SH, '2026-03-01T00:00:00Z')).to.equal('2028-02-29T02:00:00.000Z');
  });

  it('runs when either restricted day field matches (Vixie cron)', () => {
    // The 13th, or any Friday: after Mon 2026-11-09 the first is Fri Nov 13 (both), then Fri Nov 20.
    expect(next('0 9 13 * 5', SH, '2026-11-09T00:00:00Z')).to.equal('2026-11-13T01:00:00.000Z');
    expect(next('0 9 13 * 5', SH, '2026-11-13T01:00:00Z')).to.equal('2026-11-20T01:00:00.000Z');
    // A day field starting with * makes both required: */5 is Sunday and Friday, and the next 13th
    // that is one of them is Sunday Dec 13.
    expect(next('0 9 13 * */5', SH, '2026-11-14T00:00:00Z')).to.equal('2026-12-13T01:00:00.000Z');
  });

  it('runs a job in the spring-forward gap once, at the first valid minute', () => {
    expect(next('30 2 * * *', NY, '2026-03-07T08:00:00Z')).to.equal('2026-03-08T07:00:00.000Z');
    expect(next('30 2 * * *', NY, '2026-03-08T07:00:00Z')).to.equal('2026-03-09T06:30:00.000Z');
  });

  it('runs a job in the repeated fall-back hour once, at the earlier instant', () => {
    expect(next('30 1 * * *', NY, '2026-10-31T16:00:00Z')).to.equal('2026-11-01T05:30:00.000Z');
    expect(next('30 1 * * *', NY, '2026-11-01T05:30:00Z')).to.equal('2026-11-02T06:30:00.000Z');
  });

  it('throws on an invalid expression', () => {
    expect(() => nextCronRun('nope', SH, at('2026-01-01T00:00:00Z'))).to.throw(RangeError, /5 fields/);
  });
});
