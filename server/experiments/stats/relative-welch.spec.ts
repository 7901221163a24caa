import { expect } from 'chai';
import { relativeDelta, relativeWelchTest } from './relative-welch.ts';

// Reference values: mpmath at 40 digits (t CDF via regularized betainc, quantile by root finding) from F10;
// GrowthBook's published vector (gbstats two-sided t-test, 14/28 vs 16/30) to the digits it prints.
const near = (actual: number | null | undefined, expected: number, rel = 1e-9) =>
  expect(actual).to.be.a('number').and.closeTo(expected, rel * Math.abs(expected));

describe('stats/relative-welch (F10)', () => {
  it('worked example: CI [0.0108647, 0.189135], p 0.0278895, ν 19962.7', () => {
    const a = { users: 10000, conversions: 1000 };
    const b = { users: 10000, conversions: 1100 };
    const t = relativeWelchTest(a, b)!;
    near(t.lift, 0.1, 1e-12);
    near(t.nu, 19962.71255812323);
    near(t.p, 0.02788952876460052);
    near(t.ci95[0], 0.01086470814484695, 1e-8);
    near(t.ci95[1], 0.1891352918551530);
    expect(t.ci95[0]).to.be.closeTo(0.0108647, 5e-8);
    expect(t.ci95[1]).to.be.closeTo(0.189135, 5e-7);
    expect(t.p).to.be.closeTo(0.0278895, 5e-8);
    expect(t.nu).to.be.closeTo(19962.7, 0.05);
  });

  it('GrowthBook 14/28 vs 16/30: lift 0.06667, se 0.2717, CI (−0.47767, 0.61101), p 0.80707', () => {
    const t = relativeWelchTest({ users: 28, conversions: 14 }, { users: 30, conversions: 16 })!;
    near(t.lift, 0.06666666666666667, 1e-12);
    near(t.se, 0.271698556897356);
    near(t.nu, 55.70744914862206);
    near(t.ci95[0], -0.4776740282706786);
    near(t.ci95[1], 0.611007361604012);
    near(t.p, 0.8070716832021887);
    expect(t.se).to.be.closeTo(0.2717, 5e-5);
    expect(t.ci95[0]).to.be.closeTo(-0.47767, 5e-6);
    expect(t.ci95[1]).to.be.closeTo(0.61101, 5e-6);
    expect(t.p).to.be.closeTo(0.80707, 5e-6);
  });

  it('is null when control never converted', () => {
    expect(relativeDelta({ users: 50, conversions: 0 }, { users: 50, conversions: 5 })).to.equal(null);
    expect(relativeWelchTest({ users: 50, conversions: 0 }, { users: 50, conversions: 5 })).to.equal(null);
  });

  it('without variance: p = 1 for equal rates, null p for unequal ones, never NaN', () => {
    expect(relativeWelchTest({ users: 1, conversions: 1 }, { users: 1, conversions: 1 })).to.deep.equal({
      lift: 0,
      se: 0,
      nu: null,
      p: 1,
      ci95: [0, 0],
    });
    const down = relativeWelchTest({ users: 10, conversions: 5 }, { users: 10, conversions: 0 })!;
    expect(down).to.deep.include({ lift: -1, p: null, ci95: [-1, -1] });
    expect(down.nu).to.be.closeTo(9, 1e-12);
  });

  it('handles an arm of one unit (n − 1 = 0) without dividing by zero', () => {
    const t = relativeWelchTest({ users: 1, conversions: 1 }, { users: 4, conversions: 2 })!;
    expect(t.nu).to.be.closeTo(3, 1e-12);
    expect(t.p).to.be.within(0, 1);
  });
});
