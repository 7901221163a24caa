import { expect } from 'chai';
import { autoWinnerCheck, effectiveArms } from './auto-winner.ts';
import type { AttributedUnit } from './outcomes.ts';
import { buildResults } from './results.ts';

const T0 = new Date('2026-12-01T02:00:00Z');

function units(arm: string, n: number, k: Record<string, number>): AttributedUnit[] {
  return Array.from({ length: n }, (_, i) => ({
    contactId: `${arm}-${i}`,
    arm,
    storeId: null,
    exposedAt: T0,
    sentAt: null,
    outcomes: Object.fromEntries(Object.entries(k).map(([m, count]) => [m, i < count ? new Date(T0.getTime() + 3_600_000) : null])),
  }));
}

const results = (story: Record<string, number>, coupon: Record<string, number>, opts: { sequential?: boolean; couponUnits?: number } = {}) =>
  buildResults({
    config: { experimentId: 'x', arms: [{ id: 'story', weight: 1 }, { id: 'coupon', weight: 1 }], holdoutWeight: 0, goals: ['reply'], guardrails: ['friend_deleted', 'opted_out'], sequential: opts.sequential ?? true },
    units: [...units('story', 1000, story), ...units('coupon', opts.couponUnits ?? 1000, coupon)],
    stores: new Map(),
    timezone: 'Asia/Shanghai',
    now: T0,
    windowDays: 7,
  });

const on = { status: 'running', autoWinner: { enabled: true, decidedArm: null } };
const CLEAR = results({ reply: 250, friend_deleted: 20 }, { reply: 400, friend_deleted: 22 });

describe('experiments/auto-winner', () => {
  it('effectiveArms: every arm until decided, then the winner alone', () => {
    const arms = [{ id: 'story', weight: 50 }, { id: 'coupon', weight: 50 }];
    expect(effectiveArms({ arms, autoWinner: null })).to.deep.equal(arms);
    expect(effectiveArms({ arms, autoWinner: { decidedArm: 'coupon' } })).to.deep.equal([{ id: 'coupon', weight: 50 }]);
    expect(effectiveArms({ arms, autoWinner: { decidedArm: 'gone' } }), 'a winner the step no longer has').to.deep.equal(arms);
  });

  it('decides a clear primary-goal winner on sequential p-values and says why', () => {
    expect(CLEAR.primary!.verdict).to.equal('winner:coupon');
    const check = autoWinnerCheck(on, CLEAR);
    expect(check).to.include({ decide: true, arm: 'coupon' });
    expect(check.reason).to.match(/^reply：coupon 胜出.*reply: coupon 400\/1000 beats control story 250\/1000; sequential p .* < 0\.05; minimum sample reached; no SRM .*guardrails friend_deleted, opted_out not significantly worse$/);
  });

  it('does nothing when off, already decided or not running', () => {
    expect(autoWinnerCheck({ ...on, autoWinner: { enabled: false } }, CLEAR)).to.deep.equal({ decide: false, reason: '自动选优未开启 auto-winner is off' });
    expect(autoWinnerCheck({ ...on, autoWinner: { enabled: true, decidedArm: 'coupon' } }, CLEAR).reason).to.equal('已选出 coupon already decided: coupon');
    expect(autoWinnerCheck({ ...on, status: 'stopped' }, CLEAR).reason).to.equal('实验不在进行中（已停止）the experiment is stopped');
  });

  it('refuses results decided on the pooled p (an automatic check peeks every time)', () => {
    const pooled = results({ reply: 250 }, { reply: 400 }, { sequential: false });
    expect(autoWinnerCheck(on, pooled)).to.deep.equal({ decide: false, reason: '自动选优只按序贯 p 值（可随时查看）判定 auto-winner decides only on peeking-safe sequential p-values' });
  });

  it('is blocked by a sample-ratio mismatch', () => {
    const check = autoWinnerCheck(on, results({ reply: 250 }, { reply: 400 }, { couponUnits: 800 }));
    expect(check.decide).to.equal(false);
    expect(check.reason).to.match(/^样本比例失衡.*sample-ratio mismatch/);
  });

  it('waits for the minimum sample and for significance', () => {
    expect(autoWinnerCheck(on, results({ reply: 100 }, { reply: 140 })).reason).to.equal('reply：样本不足 insufficient data');
    expect(autoWinnerCheck(on, results({ reply: 300 }, { reply: 310 })).reason).to.equal('reply：无显著差异 no significant difference');
  });

  it('is blocked when a guardrail is significantly worse for the winner', () => {
    const check = autoWinnerCheck(on, results({ reply: 250, friend_deleted: 10 }, { reply: 400, friend_deleted: 60 }));
    expect(check.decide).to.equal(false);
    expect(check.reason).to.match(/^护栏指标 friend_deleted 变差.*guardrail friend_deleted: coupon 60\/1000 vs control 10\/1000, p .* < 0\.05$/);
  });
});
