import { expect } from 'chai';
import { posterior, probBeatControl } from './bayes.ts';
import { probBest } from './prob-best.ts';

// Three-arm reference: mpmath.quad of f_i·Π F_j with regularized betainc at 40 digits.
describe('stats/prob-best (F9)', () => {
  it('matches high-precision quadrature for three arms (30, 40, 35 of 100)', () => {
    const best = probBest([30, 40, 35].map((conversions) => posterior({ users: 100, conversions })));
    const expected = [0.04206213114972679, 0.7377252306458525, 0.2202126382044206];
    best.forEach((p, i) => expect(p).to.be.closeTo(expected[i] ?? 0, 1e-9 * (expected[i] ?? 0)));
    expect(best.reduce((s, p) => s + p, 0)).to.be.closeTo(1, 1e-12);
  });

  it('agrees with the exact F8 sum for two arms, also when one arm never converted', () => {
    const cases: [number, number, number, number][] = [
      [10000, 1000, 10000, 1100],
      [10000, 0, 10000, 10],
      [20, 1, 3, 0],
    ];
    for (const [nA, xA, nB, xB] of cases) {
      const a = { users: nA, conversions: xA };
      const b = { users: nB, conversions: xB };
      expect(probBest([posterior(a), posterior(b)])[1]).to.be.closeTo(probBeatControl(a, b), 1e-9);
    }
  });

  it('gives identical arms 1/k each', () => {
    const arm = posterior({ users: 5000, conversions: 250 });
    probBest([arm, arm, arm]).forEach((p) => expect(p).to.be.closeTo(1 / 3, 1e-9));
    probBest([posterior({ users: 7, conversions: 0 }), posterior({ users: 7, conversions: 0 })]).forEach((p) =>
      expect(p).to.be.closeTo(0.5, 1e-9),
    );
  });
});
