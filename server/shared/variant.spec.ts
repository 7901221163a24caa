import { expect } from 'chai';
import { assignmentPoint, assignVariant, variantSeed } from './variant.ts';

const AB = [
  { id: 'a', weight: 50 },
  { id: 'b', weight: 50 },
];

describe('assignVariant', () => {
  it('gives the same contact the same variant every time', () => {
    const first = assignVariant('onboarding-day0-intro', 'wm-contact-1', AB);
    for (let i = 0; i < 5; i += 1) expect(assignVariant('onboarding-day0-intro', 'wm-contact-1', AB)).to.equal(first);
  });

  it('is pinned: the hash must not change between releases, or running experiments reshuffle', () => {
    expect(assignmentPoint('exp', 'c1')).to.equal(0.621497099008689);
    const pinned = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((c) => assignVariant('onboarding-day0-intro', c, AB).id).join('');
    expect(pinned).to.equal(PINNED);
  });

  it('splits by weight (10,000 contacts, 70/30 within one point)', () => {
    const variants = [
      { id: 'a', weight: 7 },
      { id: 'b', weight: 3 },
    ];
    let a = 0;
    for (let i = 0; i < 10_000; i += 1) if (assignVariant('seed', `contact-${i}`, variants).id === 'a') a += 1;
    expect(a / 10_000).to.be.closeTo(0.7, 0.01);
  });

  it('assigns independently per seed', () => {
    let same = 0;
    for (let i = 0; i < 2_000; i += 1) {
      const c = `contact-${i}`;
      if (assignVariant('exp-1', c, AB).id === assignVariant('exp-2', c, AB).id) same += 1;
    }
    expect(same / 2_000).to.be.closeTo(0.5, 0.04);
  });

  it('does not confuse seed and contact boundaries ("a:b" + "c" vs "a" + "b:c")', () => {
    expect(assignmentPoint('a:b', 'c')).to.not.equal(assignmentPoint('a', 'b:c'));
  });

  it('rejects an empty list and non-positive weights', () => {
    expect(() => assignVariant('s', 'c', [])).to.throw(RangeError);
    expect(() => assignVariant('s', 'c', [{ weight: 1 }, { weight: 0 }])).to.throw(RangeError);
  });
});

describe('variantSeed', () => {
  it('uses the experiment when given, else <sop id>/<step id>', () => {
    expect(variantSeed('sop', { id: 'step', experiment: 'exp' })).to.equal('exp');
    expect(variantSeed('sop', { id: 'step' })).to.equal('sop/step');
  });
});

const PINNED = 'bbbaba';
