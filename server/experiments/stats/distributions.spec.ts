import { expect } from 'chai';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { Z_975, chiSquareUpperTail, t975, twoSidedNormalP, twoSidedTP } from './distributions.ts';

// Reference values: mpmath at 40 digits (erfc, regularized betainc), from the definitions in the spec.
const near = (actual: number, expected: number, rel = 1e-9) =>
  expect(actual).to.be.closeTo(expected, rel * Math.abs(expected));

describe('stats/distributions', () => {
  it('uses the correctly rounded z₀.₉₇₅, one ulp from what stdlib returns', () => {
    expect(Z_975).to.equal(1.959963984540054);
    near(normalQuantile(0.975, 0, 1), Z_975, 1e-15);
  });

  it('keeps a two-sided normal p of 1.5e-23 at z = 10, which 1 − Φ(|z|) rounds to 0', () => {
    near(twoSidedNormalP(10), 1.52397060483211e-23);
    near(twoSidedNormalP(-10), 1.52397060483211e-23);
    expect(twoSidedNormalP(0)).to.equal(1);
  });

  it('takes the χ² tail from the upper incomplete gamma: exp(−50) with 2 df, erfc with 1 df', () => {
    near(chiSquareUpperTail(100, 2), 1.9287498479639178e-22);
    near(chiSquareUpperTail(6.25, 1), 0.01241933065155227);
    expect(chiSquareUpperTail(0, 1)).to.equal(1);
  });

  it('gives t quantiles and two-sided t p-values', () => {
    near(t975(1), 12.706204736174694, 1e-12);
    expect(t975(Number.POSITIVE_INFINITY)).to.equal(Z_975);
    expect(twoSidedTP(0, 5)).to.equal(1);
  });
});
