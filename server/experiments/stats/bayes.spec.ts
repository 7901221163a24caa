import { expect } from 'chai';
import {
  posterior,
  probBGreaterThanA,
  probBeatControl,
  probBeatControlNormal,
  relativeLiftPosterior,
} from './bayes.ts';
import { probBest } from './prob-best.ts';

// Reference values: Evan Miller's closed form summed term by term in mpmath at 40 digits; GrowthBook's
// published Bayesian vector (gbstats flat-prior test, 49/100 vs 51/100) to the digits it prints.
const near = (actual: number, expected: number, rel = 1e-9) =>
  expect(actual).to.be.closeTo(expected, rel * Math.abs(expected));

const A = { users: 10000, conversions: 1000 };
const B = { users: 10000, conversions: 1100 };

describe('stats/bayes', () => {
  describe('probBeatControl (F8)', () => {
    it('gives the exact 0.989457 of the worked example, not the normal 0.989446', () => {
      near(probBeatControl(A, B), 0.989457354431714);
      expect(probBeatControl(A, B)).to.be.closeTo(0.989457, 5e-7);
      near(probBeatControlNormal(A, B), 0.9894463764471134);
      expect(probBeatControlNormal(A, B)).to.be.closeTo(0.989446, 5e-7);
    });

    it('matches small closed forms: 0/1 vs 1/1 → 5/6, 3/5 vs 1/4 → 27/154', () => {
      near(probBeatControl({ users: 1, conversions: 0 }, { users: 1, conversions: 1 }), 5 / 6, 1e-12);
      near(probBeatControl({ users: 5, conversions: 3 }, { users: 4, conversions: 1 }), 27 / 154, 1e-12);
    });

    it('is 0.5 for zero conversions in both arms and for identical arms', () => {
      expect(probBeatControl({ users: 400, conversions: 0 }, { users: 400, conversions: 0 })).to.be.closeTo(0.5, 1e-12);
      expect(probBeatControl(A, A)).to.be.closeTo(0.5, 1e-9);
    });

    it('gives the same answer whichever of its four sums it picks', () => {
      const a = posterior({ users: 60, conversions: 50 });
      const b = posterior({ users: 900, conversions: 3 });
      near(probBGreaterThanA(a, b) + probBGreaterThanA(b, a), 1, 1e-12);
      near(probBGreaterThanA(b, a), probBest([a, b])[0] ?? 0, 1e-9);
    });

    it('hands very large counts to the quadrature, close to the normal approximation', () => {
      const big = { users: 10_000_000, conversions: 1_000_000 };
      const bigger = { users: 10_000_000, conversions: 1_001_000 };
      const p = probBeatControl(big, bigger);
      expect(p).to.be.closeTo(probBeatControlNormal(big, bigger), 1e-4);
      near(p, 0.7719216397750623, 1e-6);
    });
  });

  describe('relativeLiftPosterior (GrowthBook flat prior)', () => {
    it('reproduces 49/100 vs 51/100: lift 0.04082, CI (−0.24779, 0.32943), chance to win 0.60918', () => {
      const r = relativeLiftPosterior({ users: 100, conversions: 49 }, { users: 100, conversions: 51 });
      expect(r).to.not.equal(null);
      near(r!.lift, 0.04081632653061224);
      near(r!.ci95[0], -0.2477933597412261);
      near(r!.ci95[1], 0.3294260128024506);
      near(r!.chanceToWin, 0.609181309580898);
      expect(r!.lift).to.be.closeTo(0.04082, 5e-6);
      expect(r!.ci95[0]).to.be.closeTo(-0.24779, 5e-6);
      expect(r!.ci95[1]).to.be.closeTo(0.32943, 5e-6);
      expect(r!.chanceToWin).to.be.closeTo(0.60918, 5e-6);
    });

    it('is null when control never converted', () => {
      expect(relativeLiftPosterior({ users: 10, conversions: 0 }, { users: 10, conversions: 2 })).to.equal(null);
    });
  });
});
