import { expect } from 'chai';
import type { AttributedUnit } from './outcomes.ts';
import { buildResults, verdictLabel, type ResultsConfig } from './results.ts';
import { CSV_COLUMNS, resultsCsv } from './results-csv.ts';
import { analyze } from './stats/analyze.ts';
import { sampleSizePerArm } from './stats/sample-size.ts';

const T0 = new Date('2026-12-01T02:00:00Z'); // 10:00 in Shanghai
const HOUR = 3_600_000;

/** `n` units of one arm and store; the first `k[metric]` of them have that outcome an hour after exposure. */
function units(arm: string, store: string, n: number, k: Record<string, number>, opts: { sent?: number; exposedAt?: Date } = {}): AttributedUnit[] {
  const exposedAt = opts.exposedAt ?? T0;
  return Array.from({ length: n }, (_, i) => ({
    contactId: `${arm}-${store}-${i}`,
    arm,
    storeId: store,
    exposedAt,
    sentAt: i < (opts.sent ?? n) ? exposedAt : null,
    outcomes: Object.fromEntries(Object.entries(k).map(([metric, count]) => [metric, i < count ? new Date(exposedAt.getTime() + HOUR) : null])),
  }));
}

const CONFIG: ResultsConfig = {
  experimentId: 'onboarding-intro',
  arms: [
    { id: 'story', weight: 50 },
    { id: 'coupon', weight: 50 },
  ],
  holdoutWeight: 0,
  goals: ['reply', 'click'],
  guardrails: ['friend_deleted'],
  sequential: false,
};
const STORES = new Map([
  ['S1', '上海一店'],
  ['S2', '北京一店'],
]);
// Hand count: story 400 units, 100 replies, 30 clicks, 4 deletions; coupon 400, 160, 45, 6.
const FIXTURE = [
  ...units('story', 'S1', 250, { reply: 70, click: 20, friend_deleted: 3 }, { sent: 245 }),
  ...units('story', 'S2', 150, { reply: 30, click: 10, friend_deleted: 1 }, { sent: 145 }),
  ...units('coupon', 'S1', 200, { reply: 100, click: 25, friend_deleted: 2 }),
  ...units('coupon', 'S2', 200, { reply: 60, click: 20, friend_deleted: 4 }, { sent: 190 }),
];
const build = (u: AttributedUnit[] = FIXTURE, config: Partial<ResultsConfig> = {}, now = new Date(T0.getTime() + 48 * HOUR)) =>
  buildResults({ config: { ...CONFIG, ...config }, units: u, stores: STORES, timezone: 'Asia/Shanghai', now, windowDays: 7 });

describe('experiments/results', () => {
  it('counts units, sends and conversions per arm and metric, and runs the engine on them', () => {
    const r = build();
    expect(r.arms).to.deep.equal([
      { name: 'story', weight: 50, units: 400, sent: 390 },
      { name: 'coupon', weight: 50, units: 400, sent: 390 },
    ]);
    expect(r.metrics.map((m) => [m.metric, m.role, m.primary, m.arms.map((a) => `${a.conversions}/${a.users}`)])).to.deep.equal([
      ['reply', 'goal', true, ['100/400', '160/400']],
      ['click', 'goal', false, ['30/400', '45/400']],
      ['friend_deleted', 'guardrail', false, ['4/400', '6/400']],
    ]);
    const engine = analyze([{ name: 'story', users: 400, conversions: 100 }, { name: 'coupon', users: 400, conversions: 160 }], { weights: [50, 50] });
    const [reply] = r.metrics;
    expect(reply!.comparisons[0]).to.deep.include(engine.comparisons[0]!);
    expect(reply!.prob_best).to.deep.equal(engine.prob_best);
    expect(reply!.arms[1]!.rate).to.equal(0.4);
    expect(r.srm).to.deep.equal({ chi2: 0, p: 1, flagged: false, enough_traffic: true });
    expect(r.unknown_arm_units).to.equal(0);
  });

  it('corrects p-values across arms × goal metrics (Holm and BH) and decides the goals on the family Holm p', () => {
    const r = build();
    const [reply, click, deleted] = r.metrics;
    const pr = reply!.comparisons[0]!.p_pooled;
    const pc = click!.comparisons[0]!.p_pooled;
    expect(pr).to.be.below(pc);
    expect(reply!.comparisons[0]!.p_holm_family).to.be.closeTo(2 * pr, 1e-15);
    expect(click!.comparisons[0]!.p_holm_family).to.be.closeTo(Math.max(2 * pr, pc), 1e-15);
    expect(reply!.comparisons[0]!.p_bh_family).to.be.closeTo(Math.min(2 * pr, pc), 1e-15);
    expect(click!.comparisons[0]!.p_bh_family).to.be.closeTo(pc, 1e-15);
    expect(r.corrections.map((c) => [c.metric, c.arm])).to.deep.equal([
      ['reply', 'coupon'],
      ['click', 'coupon'],
    ]);
    expect(deleted!.comparisons[0]!.p_holm_family, 'guardrails are not in the goal family').to.equal(null);
    expect([reply!.verdict, click!.verdict, deleted!.verdict]).to.deep.equal(['winner:coupon', 'insufficient_data', 'insufficient_data']);
    expect(click!.label).to.equal('insufficient data');
    expect(r.primary).to.deep.equal({ metric: 'reply', verdict: 'winner:coupon', label: 'coupon wins', label_zh: 'coupon 胜出' });
  });

  it('with sequential: true corrects the peeking-safe p-values', () => {
    const r = build(FIXTURE, { sequential: true });
    const [reply] = r.metrics;
    expect(r.corrections[0]!.p).to.equal(reply!.comparisons[0]!.p_sequential);
    expect(r.sequential).to.equal(true);
  });

  it('says "srm" on every goal when the split misses the weights', () => {
    const r = build([...units('story', 'S1', 400, { reply: 100 }), ...units('coupon', 'S1', 300, { reply: 160 })]);
    expect(r.srm.flagged).to.equal(true);
    expect(r.srm.chi2).to.be.closeTo((50 * 50 * 2) / 350, 1e-9);
    expect(r.metrics.filter((m) => m.role === 'goal').map((m) => m.verdict)).to.deep.equal(['srm', 'srm']);
    expect(r.primary!.label).to.match(/untrustworthy/);
  });

  it('labels an arm without units "insufficient data" instead of failing, holdout included', () => {
    const r = build(units('story', 'S1', 50, { reply: 5 }), { holdoutWeight: 10 });
    expect(r.arms.map((a) => [a.name, a.units])).to.deep.equal([
      ['story', 50],
      ['coupon', 0],
      ['holdout', 0],
    ]);
    expect(r.metrics.every((m) => m.verdict === 'insufficient_data' && m.comparisons.length === 0)).to.equal(true);
    expect(r.metrics[0]!.arms[1]).to.deep.equal({ name: 'coupon', weight: 50, users: 0, conversions: 0, rate: null });
    expect(r.srm.enough_traffic).to.equal(false);
  });

  it('leaves out units of arms the experiment no longer has', () => {
    const r = build([...FIXTURE, ...units('retired', 'S1', 7, { reply: 7 })]);
    expect(r.unknown_arm_units).to.equal(7);
    expect(r.arms.map((a) => a.units)).to.deep.equal([400, 400]);
  });

  it('breaks every metric down per store', () => {
    const r = build();
    const s1 = r.per_store.find((s) => s.store_id === 'S1')!;
    const s2 = r.per_store.find((s) => s.store_id === 'S2')!;
    expect([s1.store, s1.units, s2.store, s2.units]).to.deep.equal(['上海一店', 450, '北京一店', 350]);
    expect(s1.metrics.map((m) => m.arms.map((a) => a.conversions))).to.deep.equal([[70, 100], [20, 25], [3, 2]]);
    expect(s2.metrics[0]!.arms.map((a) => a.users)).to.deep.equal([150, 200]);
    expect(s2.metrics[0]!.comparisons[0]!.p_pooled).to.equal(analyze([{ name: 'story', users: 150, conversions: 30 }, { name: 'coupon', users: 200, conversions: 60 }]).comparisons[0]!.p_pooled);
  });

  it('gives the units per arm needed for a 10% relative change at the control rate', () => {
    const [reply, , deleted] = build().metrics;
    expect(reply!.sample_size).to.deep.equal({ baseline: 0.25, mde_relative: 0.1, per_arm: sampleSizePerArm({ baseline: 0.25, mde: 0.1, relative: true }) });
    expect(deleted!.sample_size).to.equal(null);
  });

  it('builds cumulative daily series in the corp time zone', () => {
    const story = [
      ...units('story', 'S1', 2, { reply: 1 }),
      ...units('story', 'S1', 1, {}, { exposedAt: new Date('2026-12-01T16:30:00Z') }), // 00:30 on the 2nd in Shanghai
    ].map((u, i) => ({ ...u, contactId: `s${i}` }));
    const coupon = units('coupon', 'S1', 1, {}).map((u) => ({ ...u, outcomes: { ...u.outcomes, reply: new Date('2026-12-02T17:00:00Z') } }));
    const r = build([...story, ...coupon], { goals: ['reply'], guardrails: [] }, new Date('2026-12-03T04:00:00Z'));
    expect(r.series.timezone).to.equal('Asia/Shanghai');
    expect(r.series.days).to.deep.equal(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(r.series.metrics.reply).to.deep.equal([
      { arm: 'story', users: [2, 3, 3], conversions: [1, 1, 1], rate: [0.5, 1 / 3, 1 / 3] },
      { arm: 'coupon', users: [1, 1, 1], conversions: [0, 0, 1], rate: [0, 0, 1] },
    ]);
  });

  it('exports one CSV row per metric × arm with every statistic', () => {
    const r = build();
    const lines = resultsCsv(r).trimEnd().split('\r\n');
    expect(lines).to.have.length(1 + 3 * 2);
    expect(lines[0]!.split(',')).to.deep.equal([...CSV_COLUMNS]);
    const row = (i: number) => Object.fromEntries(lines[i]!.split(',').map((v, j) => [CSV_COLUMNS[j], v]));
    expect(row(1)).to.include({ metric: 'reply', arm: 'story', is_control: 'true', users: '400', conversions: '100', p_pooled: '', verdict: 'winner:coupon' });
    expect(row(2)).to.include({ metric: 'reply', arm: 'coupon', p_pooled: String(r.metrics[0]!.comparisons[0]!.p_pooled), prob_best: String(r.metrics[0]!.prob_best[1]) });
    expect(row(6)).to.include({ metric: 'friend_deleted', role: 'guardrail', arm: 'coupon', conversions: '6' });
  });

  it('words guardrail verdicts as harm', () => {
    expect(verdictLabel('winner:b', 'guardrail').label).to.equal('b significantly higher than control (worse)');
    expect(verdictLabel('loser:b', 'goal').label).to.equal('b is worse than control');
  });
});
