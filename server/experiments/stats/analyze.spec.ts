import { expect } from 'chai';
import { analyze } from './analyze.ts';
import type { Analysis } from './analyze.ts';

const arm = (name: string, users: number, conversions: number) => ({ name, users, conversions });
const WORKED = [arm('A', 10000, 1000), arm('B', 10000, 1100)];

/** Every number in the analysis is finite and every p or probability lies in [0, 1]. */
function expectWellFormed(result: Analysis): void {
  const numbers: number[] = [];
  JSON.stringify(result, (_key, value: unknown) => {
    if (typeof value === 'number') numbers.push(value);
    return value;
  });
  numbers.forEach((n) => expect(Number.isFinite(n), String(n)).to.equal(true));
  for (const c of result.comparisons) {
    for (const p of [c.p_pooled, c.p_unpooled, c.p_welch_rel, c.p_sequential, c.prob_beat_control, c.p_holm, c.p_bh]) {
      if (p !== null) expect(p).to.be.within(0, 1);
    }
  }
  result.prob_best.forEach((p) => expect(p).to.be.within(0, 1));
}

describe('stats/analyze', () => {
  it('produces exactly the JSON shape of the spec for the worked example', () => {
    const result = analyze(WORKED, { weights: [50, 50] });
    expect(result).to.have.all.keys('arms', 'comparisons', 'prob_best', 'srm', 'verdict');
    expect(result.arms).to.deep.equal([
      { name: 'A', users: 10000, conversions: 1000, rate: 0.1 },
      { name: 'B', users: 10000, conversions: 1100, rate: 0.11 },
    ]);
    const [c] = result.comparisons;
    expect(c).to.have.all.keys(
      'arm', 'abs_lift', 'rel_lift', 'z_pooled', 'p_pooled', 'p_unpooled', 'ci95_abs', 'p_welch_rel', 'ci95_rel',
      'p_sequential', 'prob_beat_control', 'p_holm', 'p_bh',
    );
    expect(c!.arm).to.equal('B');
    expect(c!.z_pooled).to.be.closeTo(2.30663, 5e-6);
    expect(c!.p_pooled).to.be.closeTo(0.0210752, 5e-8);
    expect(c!.p_unpooled).to.be.closeTo(0.0210581, 5e-8);
    expect(c!.ci95_abs[0]).to.be.closeTo(0.00150406, 5e-9);
    expect(c!.ci95_rel![1]).to.be.closeTo(0.189135, 5e-7);
    expect(c!.p_welch_rel).to.be.closeTo(0.0278895, 5e-8);
    expect(c!.p_sequential).to.be.closeTo(0.549038, 5e-7);
    expect(c!.prob_beat_control).to.be.closeTo(0.989457, 5e-7);
    expect(c!.p_holm).to.equal(c!.p_pooled);
    expect(c!.p_bh).to.equal(c!.p_pooled);
    expect(result.prob_best[1]).to.equal(c!.prob_beat_control);
    expect(result.srm).to.deep.equal({ chi2: 0, p: 1, flagged: false });
    expect(result.verdict).to.equal('winner:B');
    expectWellFormed(result);
  });

  it('with sequential: true corrects and decides on the peeking-safe p (no winner at 0.549)', () => {
    const result = analyze(WORKED, { sequential: true });
    expect(result.comparisons[0]!.p_holm).to.be.closeTo(0.549038, 5e-7);
    expect(result.verdict).to.equal('no_difference');
  });

  it('zero conversions in control: relative statistics null, the rest defined', () => {
    const result = analyze([arm('A', 2000, 0), arm('B', 2000, 200)]);
    const c = result.comparisons[0]!;
    expect(c).to.include({ rel_lift: null, ci95_rel: null, p_welch_rel: null, p_sequential: null });
    expect(c.p_pooled).to.be.below(1e-40);
    expect(result.verdict).to.equal('insufficient_data');
    expectWellFormed(result);
  });

  it('zero conversions in both arms: p = 1, CI [0, 0], P(B>A) = 0.5', () => {
    const result = analyze([arm('A', 500, 0), arm('B', 500, 0)]);
    const c = result.comparisons[0]!;
    expect(c).to.deep.include({ abs_lift: 0, p_pooled: 1, p_unpooled: 1, ci95_abs: [0, 0] });
    expect(c.prob_beat_control).to.be.closeTo(0.5, 1e-12);
    expectWellFormed(result);
  });

  it('identical arms: p = 1 everywhere and P(B>A) = 0.5', () => {
    const result = analyze([arm('A', 3000, 300), arm('B', 3000, 300)]);
    const c = result.comparisons[0]!;
    expect(c).to.include({ p_pooled: 1, p_unpooled: 1, p_welch_rel: 1, p_sequential: 1 });
    expect(c.prob_beat_control).to.be.closeTo(0.5, 1e-9);
    expect(result.verdict).to.equal('no_difference');
  });

  it('never returns NaN or Infinity for any pair of tiny samples (n ≤ 4)', () => {
    for (let nA = 1; nA <= 4; nA++)
      for (let xA = 0; xA <= nA; xA++)
        for (let nB = 1; nB <= 4; nB++)
          for (let xB = 0; xB <= nB; xB++) {
            const result = analyze([arm('A', nA, xA), arm('B', nB, xB)]);
            expectWellFormed(result);
            expect(result.verdict).to.equal('insufficient_data');
          }
  });

  it('says "srm" when the observed split misses unequal intended weights', () => {
    const result = analyze([arm('A', 5000, 500), arm('B', 5000, 700)], { weights: [20, 80] });
    expect(result.srm.flagged).to.equal(true);
    expect(result.verdict).to.equal('srm');
    expect(analyze([arm('A', 2000, 200), arm('B', 8000, 1000)], { weights: [20, 80] }).srm.p).to.equal(1);
  });

  it('compares three arms with control and corrects across them', () => {
    const result = analyze([arm('A', 5000, 500), arm('B', 5000, 560), arm('C', 5000, 600)]);
    expect(result.comparisons.map((c) => c.arm)).to.deep.equal(['B', 'C']);
    const [b, c] = result.comparisons;
    expect(b!.p_holm).to.be.closeTo(Math.max(2 * c!.p_pooled, b!.p_pooled), 1e-15);
    expect(c!.p_holm).to.be.closeTo(2 * c!.p_pooled, 1e-15);
    expect(b!.p_bh).to.be.closeTo(b!.p_pooled, 1e-15);
    expect(result.prob_best).to.have.length(3);
    expect(result.prob_best.reduce((s, p) => s + p, 0)).to.be.closeTo(1, 1e-12);
    expect(result.prob_best[2]).to.be.above(result.prob_best[1]!);
    expect(result.verdict).to.equal('winner:C');
    expectWellFormed(result);
  });

  it('rejects invalid arms with every problem listed', () => {
    expect(() => analyze([arm('A', 10, 11)])).to.throw(RangeError, /at least 2 arms.*exceed/);
    expect(() => analyze([arm('A', 10, 1), arm('A', 10, 1)])).to.throw(RangeError, /duplicate/);
    expect(() => analyze([arm('A', 10, 1), arm('B', 10.5, 1)])).to.throw(RangeError, /positive integer/);
    expect(() => analyze([arm('A', 10, -1), arm('B', 10, 1)])).to.throw(RangeError, /non-negative/);
    expect(() => analyze(WORKED, { weights: [1, 2, 3] })).to.throw(RangeError, /weights/);
  });
});
