import { expect } from 'chai';
import { sampleSizePerArm, sampleSizeProblems } from './sample-size.ts';

// R's stats::power.prop.test (strict = FALSE) solves exactly the F13 closed form with uniroot; its help page
// example power.prop.test(p1 = .50, p2 = .75, power = .90) prints n = 76.7, and p1 = .2, p2 = .25,
// power = .8 prints n = 1093.739. Full digits below: the closed form evaluated in mpmath at 40 digits
// (R's own n differs from these only by uniroot's tolerance).
const near = (actual: number, expected: number, rel = 1e-9) =>
  expect(actual).to.be.closeTo(expected, rel * expected);

describe('stats/sample-size (F13)', () => {
  it('matches power.prop.test(p1 = .5, p2 = .75, power = .9): 76.7', () => {
    const n = sampleSizePerArm({ baseline: 0.5, mde: 0.25, power: 0.9 });
    near(n, 76.7069284517774);
    expect(n).to.be.closeTo(76.7, 0.05);
  });

  it('matches power.prop.test(p1 = .2, p2 = .25, power = .8): 1093.739', () => {
    const n = sampleSizePerArm({ baseline: 0.2, mde: 0.05 });
    near(n, 1093.739045766165);
    expect(n).to.be.closeTo(1093.739, 5e-4);
  });

  it("reproduces Evan Miller's 1030.22 with his baseline null variance", () => {
    near(sampleSizePerArm({ baseline: 0.2, mde: 0.05, nullVariance: 'baseline' }), 1030.21928311046);
  });

  it('takes a relative mde and non-default α and power', () => {
    near(sampleSizePerArm({ baseline: 0.05, mde: 0.1, relative: true, alpha: 0.01, power: 0.9 }), 59210.04947193071);
    near(sampleSizePerArm({ baseline: 0.1, mde: 0.01 }), 14750.79046904494);
  });

  it('is symmetric in the direction of the effect', () => {
    near(sampleSizePerArm({ baseline: 0.25, mde: -0.05 }), 1093.739045766165);
  });

  it('rejects baselines and targets outside (0, 1), a zero mde, and bad α or power', () => {
    expect(sampleSizeProblems({ baseline: 0.2, mde: 0.05 })).to.deep.equal([]);
    expect(sampleSizeProblems({ baseline: 0, mde: 0.05 })).to.have.length(1);
    expect(sampleSizeProblems({ baseline: 0.9, mde: 0.1 })).to.have.length(1);
    expect(sampleSizeProblems({ baseline: 0.5, mde: -1, relative: true })).to.have.length(1);
    expect(sampleSizeProblems({ baseline: 0.5, mde: 0 })).to.have.length(1);
    expect(sampleSizeProblems({ baseline: 0.5, mde: 0.1, alpha: 1, power: 0 })).to.have.length(2);
    expect(() => sampleSizePerArm({ baseline: 1.5, mde: 0.1 })).to.throw(RangeError, /baseline/);
  });
});
