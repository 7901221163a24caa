import { expect } from 'chai';
import { sampleRatioMismatch } from './srm.ts';

// χ² tails in closed form: 1 df → erfc(√(x/2)), 2 df → exp(−x/2) (values from mpmath at 40 digits).
describe('stats/srm (F7)', () => {
  it('finds no mismatch in the worked example: χ² 0, p 1', () => {
    expect(sampleRatioMismatch([10000, 10000], [50, 50])).to.deep.equal({
      chi2: 0,
      p: 1,
      flagged: false,
      enoughTraffic: true,
    });
    expect(sampleRatioMismatch([10000, 10000])).to.include({ chi2: 0, p: 1 });
  });

  it('measures against unequal intended weights (20/80)', () => {
    expect(sampleRatioMismatch([2000, 8000], [20, 80])).to.include({ chi2: 0, p: 1, flagged: false });
    const off = sampleRatioMismatch([2100, 7900], [0.2, 0.8]);
    expect(off.chi2).to.be.closeTo(6.25, 1e-12);
    expect(off.p).to.be.closeTo(0.01241933065155227, 1e-12);
    expect(off.flagged).to.equal(false);
  });

  it('flags an even split that was meant to be 20/80', () => {
    const srm = sampleRatioMismatch([5000, 5000], [20, 80]);
    expect(srm.chi2).to.be.closeTo(5625, 1e-9);
    expect(srm.p).to.be.at.least(0).and.below(1e-300);
    expect(srm.flagged).to.equal(true);
  });

  it('uses k − 1 df for three arms and flags below p = 0.001', () => {
    const srm = sampleRatioMismatch([1100, 1000, 1900], [25, 25, 50]);
    expect(srm.chi2).to.be.closeTo(15, 1e-12);
    expect(srm.p).to.be.closeTo(Math.exp(-7.5), 1e-15);
    expect(srm.flagged).to.equal(true);
  });

  it('reports "not enough traffic" instead of flagging below 8 units per arm', () => {
    const srm = sampleRatioMismatch([1, 30]);
    expect(srm.p).to.be.below(0.001);
    expect(srm).to.include({ flagged: false, enoughTraffic: false });
  });

  it('rejects weights that cannot describe a split', () => {
    expect(() => sampleRatioMismatch([10, 10], [1])).to.throw(RangeError);
    expect(() => sampleRatioMismatch([10, 10], [1, 0])).to.throw(RangeError);
  });
});
