import { expect } from 'chai';
import { benjaminiHochberg, holm } from './multiple-comparisons.ts';

// Worked by hand from F12 (same as R p.adjust(p, "holm") / p.adjust(p, "BH")): sorted p = .005 .01 .03 .04,
// Holm ×4 ×3 ×2 ×1 → .02 .03 .06 .04 → running max .02 .03 .06 .06; BH ×4/1 ×4/2 ×4/3 ×4/4 →
// .02 .02 .04 .04 → running min from the top, unchanged.
const p = [0.01, 0.04, 0.03, 0.005];
const close = (actual: number[], expected: number[]) =>
  actual.forEach((v, i) => expect(v).to.be.closeTo(expected[i] ?? Number.NaN, 1e-15));

describe('stats/multiple-comparisons (F12)', () => {
  it('Holm: step-down with a running maximum, in input order', () => {
    close(holm(p), [0.03, 0.06, 0.06, 0.02]);
  });

  it('Benjamini–Hochberg: step-up with a running minimum, in input order', () => {
    close(benjaminiHochberg(p), [0.02, 0.04, 0.04, 0.02]);
  });

  it('caps at 1 and leaves a single p alone', () => {
    close(holm([0.5, 0.6]), [1, 1]);
    close(benjaminiHochberg([0.5, 0.6]), [0.6, 0.6]);
    close(holm([0.0211]), [0.0211]);
    close(benjaminiHochberg([0.0211]), [0.0211]);
    expect(holm([])).to.deep.equal([]);
  });

  it('treats tied p-values alike', () => {
    close(holm([0.01, 0.01, 0.2]), [0.03, 0.03, 0.2]);
    close(benjaminiHochberg([0.01, 0.01, 0.2]), [0.015, 0.015, 0.2]);
  });
});
