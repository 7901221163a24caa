import { expect } from 'chai';
import { applyQuietHours, isQuiet } from './quiet-hours.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const NIGHT = { start: '21:00', end: '09:00' };
const LUNCH = { start: '12:00', end: '14:00' };
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('applyQuietHours', () => {
  it('defers a touch due in the evening to 09:00 the next local day', () => {
    // 21:30 Shanghai → 09:00 next day.
    expect(iso(applyQuietHours(at('2026-11-22T13:30:00Z'), SH, NIGHT))).to.equal('2026-11-23T01:00:00.000Z');
  });

  it('defers a touch due after midnight to 09:00 the same local day', () => {
    expect(iso(applyQuietHours(at('2026-11-22T18:00:00Z'), SH, NIGHT))).to.equal('2026-11-23T01:00:00.000Z');
  });

  it('defers across a month and year end', () => {
    // 23:50 on Dec 31 → Jan 1 09:00; 23:00 on Feb 28 2028 → Feb 29 09:00.
    expect(iso(applyQuietHours(at('2026-12-31T15:50:00Z'), SH, NIGHT))).to.equal('2027-01-01T01:00:00.000Z');
    expect(iso(applyQuietHours(at('2028-02-28T15:00:00Z'), SH, NIGHT))).to.equal('2028-02-29T01:00:00.000Z');
  });

  it('treats the window as [start, end): 21:00 is quiet, 09:00 and 20:59:59 are not', () => {
    expect(isQuiet(at('2026-11-22T13:00:00Z'), SH, NIGHT)).to.equal(true);
    expect(isQuiet(at('2026-11-22T12:59:59Z'), SH, NIGHT)).to.equal(false);
    expect(isQuiet(at('2026-11-22T01:00:00Z'), SH, NIGHT)).to.equal(false);
    expect(isQuiet(at('2026-11-22T00:59:59Z'), SH, NIGHT)).to.equal(true);
    expect(applyQuietHours(at('2026-11-22T01:00:00Z'), SH, NIGHT).getTime()).to.equal(at('2026-11-22T01:00:00Z').getTime());
  });

  it('handles quiet hours that do not cross midnight', () => {
    expect(iso(applyQuietHours(at('2026-11-22T05:00:00Z'), SH, LUNCH))).to.equal('2026-11-22T06:00:00.000Z');
    expect(iso(applyQuietHours(at('2026-11-22T03:59:00Z'), SH, LUNCH))).to.equal('2026-11-22T03:59:00.000Z');
    expect(iso(applyQuietHours(at('2026-11-22T06:00:00Z'), SH, LUNCH))).to.equal('2026-11-22T06:00:00.000Z');
    expect(iso(applyQuietHours(at('2026-11-22T14:00:00Z'), SH, LUNCH))).to.equal('2026-11-22T14:00:00.000Z');
  });

  it('returns the instant unchanged when quiet hours are off', () => {
    expect(iso(applyQuietHours(at('2026-11-22T18:00:00Z'), SH, false))).to.equal('2026-11-22T18:00:00.000Z');
  });

  it('uses the store zone: the same instant is quiet in Shanghai and allowed in New York', () => {
    const instant = at('2026-11-22T15:00:00Z'); // 23:00 Shanghai, 10:00 New York
    expect(isQuiet(instant, SH, NIGHT)).to.equal(true);
    expect(isQuiet(instant, NY, NIGHT)).to.equal(false);
  });

  it('defers across the March DST night in New York to 09:00 EDT', () => {
    // Sat 2026-03-07 23:00 EST → Sun 09:00 EDT (13:00Z), after a 23-hour day.
    expect(iso(applyQuietHours(at('2026-03-08T04:00:00Z'), NY, NIGHT))).to.equal('2026-03-08T13:00:00.000Z');
  });

  it('defers across the November DST night in New York to 09:00 EST', () => {
    // Sun 2026-11-01 01:30 EDT (the first one) → 09:00 EST (14:00Z).
    expect(iso(applyQuietHours(at('2026-11-01T05:30:00Z'), NY, NIGHT))).to.equal('2026-11-01T14:00:00.000Z');
  });

  it('moves to the first valid minute when the window ends inside the spring-forward gap', () => {
    // Window 22:00–02:30; on Mar 8 02:30 does not exist, so 01:45 EST waits until 03:00 EDT.
    const quiet = { start: '22:00', end: '02:30' };
    expect(iso(applyQuietHours(at('2026-03-08T06:45:00Z'), NY, quiet))).to.equal('2026-03-08T07:00:00.000Z');
  });
});
