import { expect } from 'chai';
import { applyFrequencyCap } from './frequency-cap.ts';
import { deliveryTime } from './plan.ts';

const SH = 'Asia/Shanghai';
const DEFAULT = { per_day: 1, per_month: null };
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('applyFrequencyCap', () => {
  it('leaves a touch alone when the contact had none that day', () => {
    expect(iso(applyFrequencyCap(at('2026-11-23T02:00:00Z'), SH, DEFAULT, []))).to.equal('2026-11-23T02:00:00.000Z');
  });

  it('moves the second touch of a local day to the next local midnight', () => {
    const touches = [at('2026-11-23T01:00:00Z')];
    expect(iso(applyFrequencyCap(at('2026-11-23T02:00:00Z'), SH, DEFAULT, touches))).to.equal('2026-11-23T16:00:00.000Z');
  });

  it('counts touches by local day: 00:30 Shanghai belongs to the next day although UTC says otherwise', () => {
    const touches = [at('2026-11-22T16:30:00Z')]; // Nov 23 00:30 local
    expect(iso(applyFrequencyCap(at('2026-11-22T15:00:00Z'), SH, DEFAULT, touches))).to.equal('2026-11-22T15:00:00.000Z');
    expect(iso(applyFrequencyCap(at('2026-11-23T02:00:00Z'), SH, DEFAULT, touches))).to.equal('2026-11-23T16:00:00.000Z');
  });

  it('allows per_day touches a day', () => {
    const touches = [at('2026-11-23T01:00:00Z')];
    expect(iso(applyFrequencyCap(at('2026-11-23T02:00:00Z'), SH, { per_day: 2, per_month: null }, touches))).to.equal(
      '2026-11-23T02:00:00.000Z',
    );
  });

  it('moves a touch past a full month to the first of the next local month, across a year end', () => {
    const cap = { per_day: 1, per_month: 2 };
    const touches = [at('2026-12-02T02:00:00Z'), at('2026-12-09T02:00:00Z')];
    expect(iso(applyFrequencyCap(at('2026-12-20T02:00:00Z'), SH, cap, touches))).to.equal('2026-12-31T16:00:00.000Z');
  });

  it('by default allows as many touches a month as the month has days (Feb 2028 has 29)', () => {
    const feb = Array.from({ length: 28 }, (_, i) => at(`2028-02-${String(i + 1).padStart(2, '0')}T02:00:00Z`));
    expect(iso(applyFrequencyCap(at('2028-02-29T02:00:00Z'), SH, DEFAULT, feb))).to.equal('2028-02-29T02:00:00.000Z');
    const full = [...feb, at('2028-02-29T01:00:00Z')];
    expect(iso(applyFrequencyCap(at('2028-02-29T02:00:00Z'), SH, DEFAULT, full))).to.equal('2028-02-29T16:00:00.000Z');
  });
});

describe('deliveryTime', () => {
  it('applies the cap, then quiet hours: a capped touch lands at 09:00 the next day', () => {
    const policy = { frequencyCap: DEFAULT };
    const touches = [at('2026-11-23T01:00:00Z')];
    expect(iso(deliveryTime(at('2026-11-23T02:00:00Z'), SH, policy, touches))).to.equal('2026-11-24T01:00:00.000Z');
  });

  it('keeps moving until both rules are satisfied', () => {
    // 23:00 is quiet → 09:00 next day, which already had a touch → 09:00 the day after.
    const touches = [at('2026-11-23T03:00:00Z')];
    expect(iso(deliveryTime(at('2026-11-22T15:00:00Z'), SH, { frequencyCap: DEFAULT }, touches))).to.equal(
      '2026-11-24T01:00:00.000Z',
    );
  });
});
