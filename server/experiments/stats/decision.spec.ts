import { expect } from 'chai';
import { decide, hasMinimumSample } from './decision.ts';
import type { DecisionInput } from './decision.ts';

const arm = (name: string, users: number, conversions: number) => ({ name, users, conversions });
const base: DecisionInput = {
  arms: [arm('A', 10000, 1000), arm('B', 10000, 1100)],
  srmFlagged: false,
  adjustedP: [0.02],
  probBeatControl: [0.99],
  probBest: [0.01, 0.99],
  alpha: 0.05,
  view: 'frequentist',
};

describe('stats/decision', () => {
  it('requires 100 users and 25 conversions per arm and 150 in the larger arm', () => {
    expect(hasMinimumSample([arm('A', 100, 25), arm('B', 100, 150)])).to.equal(true);
    expect(hasMinimumSample([arm('A', 99, 25), arm('B', 1000, 150)])).to.equal(false);
    expect(hasMinimumSample([arm('A', 1000, 24), arm('B', 1000, 150)])).to.equal(false);
    expect(hasMinimumSample([arm('A', 1000, 149), arm('B', 1000, 149)])).to.equal(false);
  });

  it('names the winner when the corrected p is below α', () => {
    expect(decide(base)).to.equal('winner:B');
    expect(decide({ ...base, adjustedP: [0.05] })).to.equal('no_difference');
  });

  it('blocks every verdict on an SRM, before the sample check', () => {
    expect(decide({ ...base, srmFlagged: true })).to.equal('srm');
    expect(decide({ ...base, srmFlagged: true, arms: [arm('A', 10, 1), arm('B', 10, 2)] })).to.equal('srm');
  });

  it('declares nothing before the minimum sample, however small the p', () => {
    expect(decide({ ...base, arms: [arm('A', 1000, 20), arm('B', 1000, 200)], adjustedP: [1e-20] })).to.equal(
      'insufficient_data',
    );
  });

  it('names a significantly worse variant the loser', () => {
    expect(decide({ ...base, arms: [arm('A', 10000, 1100), arm('B', 10000, 1000)] })).to.equal('loser:B');
  });

  it('with three arms picks the best significant winner, else the worst significant loser', () => {
    const arms = [arm('A', 5000, 500), arm('B', 5000, 600), arm('C', 5000, 650)];
    expect(decide({ ...base, arms, adjustedP: [0.01, 0.001] })).to.equal('winner:C');
    expect(decide({ ...base, arms, adjustedP: [0.01, 0.2] })).to.equal('winner:B');
    const worse = [arm('A', 5000, 650), arm('B', 5000, 600), arm('C', 5000, 500)];
    expect(decide({ ...base, arms: worse, adjustedP: [0.01, 0.001] })).to.equal('loser:C');
  });

  it('in the Bayesian view decides on P(best) > 0.95 and P(beat control) < 0.05', () => {
    const bayes = { ...base, view: 'bayesian' as const, adjustedP: [1] };
    expect(decide(bayes)).to.equal('winner:B');
    expect(decide({ ...bayes, probBest: [0.06, 0.94] })).to.equal('no_difference');
    expect(decide({ ...bayes, probBest: [0.97, 0.03], probBeatControl: [0.03] })).to.equal('loser:B');
  });
});
