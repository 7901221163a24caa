import { expect } from 'chai';
import { sequentialPValue, sequentialRho } from './sequential.ts';

// Reference values: mpmath at 40 digits from F11 (GrowthBook's mixture SPRT, N* = 5000).
describe('stats/sequential (F11)', () => {
  it('gives p 0.549038 for the worked example, where the fixed-horizon p is 0.021', () => {
    const p = sequentialPValue({ users: 10000, conversions: 1000 }, { users: 10000, conversions: 1100 });
    expect(p).to.be.closeTo(0.5490379443452069, 1e-9 * 0.549);
    expect(p).to.be.closeTo(0.549038, 5e-7);
  });

  it('tunes ρ from α and N*', () => {
    const l = -2 * Math.log(0.05);
    expect(sequentialRho()).to.be.closeTo(Math.sqrt((l + Math.log(l + 1)) / 5000), 1e-15);
    expect(sequentialPValue({ users: 100, conversions: 30 }, { users: 100, conversions: 40 })).to.be.closeTo(
      0.9430992896561318,
      1e-9,
    );
  });

  it('is 1 for identical arms and null when control never converted', () => {
    const a = { users: 800, conversions: 80 };
    expect(sequentialPValue(a, a)).to.equal(1);
    expect(sequentialPValue({ users: 800, conversions: 0 }, a)).to.equal(null);
    expect(sequentialPValue({ users: 3, conversions: 3 }, { users: 2, conversions: 0 })).to.equal(null);
  });

  it('stays finite when e overflows a double', () => {
    // log e ≈ 9600, far past the 709 where exp() overflows.
    const p = sequentialPValue({ users: 1_000_000, conversions: 100_000 }, { users: 1_000_000, conversions: 200_000 });
    expect(p).to.equal(0);
  });
});
