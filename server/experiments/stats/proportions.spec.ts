import { expect } from 'chai';
import { absoluteLift, pooledZTest, rate, relativeLift, unpooledZTest } from './proportions.ts';

// Reference values: mpmath at 40 digits from F1–F6 of the spec; the spec's printed figures are checked
// to the digits it prints.
const near = (actual: number | null, expected: number, rel = 1e-9) =>
  expect(actual).to.be.a('number').and.closeTo(expected, rel * Math.abs(expected));

const A = { users: 10000, conversions: 1000 };
const B = { users: 10000, conversions: 1100 };

describe('stats/proportions', () => {
  describe('worked example of the spec (10000/1000 vs 10000/1100)', () => {
    it('F1–F3: rates 0.1 / 0.11, absolute lift 0.01, relative lift 0.1', () => {
      expect(rate(A)).to.equal(0.1);
      expect(rate(B)).to.equal(0.11);
      near(absoluteLift(A, B), 0.01, 1e-12);
      near(relativeLift(A, B), 0.1, 1e-12);
    });

    it('F4: pooled z 2.30663, p 0.0210752', () => {
      const { z, p } = pooledZTest(A, B);
      near(z, 2.306634773817012);
      near(p, 0.02107518927379775);
      expect(z).to.be.closeTo(2.30663, 5e-6);
      expect(p).to.be.closeTo(0.0210752, 5e-8);
    });

    it('F5–F6: unpooled p 0.0210581, 95% CI [0.00150406, 0.0184959]', () => {
      const { p, ci95 } = unpooledZTest(A, B);
      near(p, 0.02105807321607787);
      near(ci95[0], 0.001504059131512118, 1e-8);
      near(ci95[1], 0.01849594086848788);
      expect(p).to.be.closeTo(0.0210581, 5e-8);
      expect(ci95[0]).to.be.closeTo(0.00150406, 5e-9);
      expect(ci95[1]).to.be.closeTo(0.0184959, 5e-8);
    });
  });

  it('keeps a p of 1.8e-171 for a tenfold lift instead of rounding it to 0', () => {
    const a = { users: 10000, conversions: 100 };
    const b = { users: 10000, conversions: 1000 };
    const { z, p } = pooledZTest(a, b);
    near(z, 27.9145263119541);
    near(p, 1.7779188368235e-171, 1e-6);
    near(unpooledZTest(a, b).p, 2.40777447716567e-178, 1e-6);
  });

  it('zero conversions in control: relative lift null, both z-tests still defined', () => {
    const a = { users: 500, conversions: 0 };
    const b = { users: 500, conversions: 10 };
    expect(relativeLift(a, b)).to.equal(null);
    near(pooledZTest(a, b).p, 0.001481880774720388);
    const wald = unpooledZTest(a, b);
    near(wald.p, 0.001401301580960215);
    near(wald.ci95[0], 0.007728684431927857);
  });

  it('zero conversions in both arms: p = 1 and CI [0, 0]', () => {
    const zero = { users: 300, conversions: 0 };
    expect(pooledZTest(zero, { users: 500, conversions: 0 })).to.deep.equal({ z: 0, p: 1, se: 0 });
    expect(unpooledZTest(zero, { users: 500, conversions: 0 })).to.deep.include({ p: 1, ci95: [0, 0] });
    expect(relativeLift(zero, zero)).to.equal(null);
  });

  it('identical arms: z = 0 and p = 1 for both tests', () => {
    expect(pooledZTest(A, A)).to.include({ z: 0, p: 1 });
    expect(unpooledZTest(A, A)).to.include({ z: 0, p: 1 });
  });

  it('0% against 100%: the Wald statistic is undefined (null), the pooled one is not', () => {
    const none = { users: 1, conversions: 0 };
    const all = { users: 1, conversions: 1 };
    expect(unpooledZTest(none, all)).to.deep.equal({ z: null, p: null, se: 0, ci95: [1, 1] });
    const pooled = pooledZTest(none, all);
    near(pooled.z, Math.SQRT2, 1e-12);
    expect(pooled.p).to.be.within(0, 1);
  });
});
