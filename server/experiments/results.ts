/**
 * Experiment results, pure: attributed units in, the dashboard's JSON out. Per metric the arm counts
 * (n = assigned units, conversions = units with the outcome in their window) go through the stats engine's
 * `analyze` with the experiment's weights (SRM); the goal metrics' p-values are then corrected together
 * (Holm and Benjamini–Hochberg across arms × goal metrics) and the goal verdicts decided on the corrected Holm
 * p. Guardrails keep the engine's within-metric verdict. Snake-case keys: this object is the engine's JSON.
 */
import { analyze, type Analysis, type Comparison } from './stats/analyze.ts';
import { decide, type Verdict } from './stats/decision.ts';
import { benjaminiHochberg, holm } from './stats/multiple-comparisons.ts';
import { sampleRatioMismatch } from './stats/srm.ts';
import { sampleSizePerArm, sampleSizeProblems } from './stats/sample-size.ts';
import { HOLDOUT } from './experiment.schema.ts';
import type { AttributedUnit } from './outcomes.ts';
import { cumulativeSeries, type Series } from './series.ts';

export const ALPHA = 0.05;
/** The sample-size hint: units per arm to detect this relative change of the control's rate. */
export const SAMPLE_SIZE_MDE = 0.1;

export type ResultsConfig = {
  experimentId: string;
  /** Arm 0 is control. */
  arms: readonly { id: string; weight: number }[];
  holdoutWeight: number;
  goals: readonly string[];
  guardrails: readonly string[];
  sequential: boolean;
};

export type ArmCount = { name: string; weight: number; users: number; conversions: number; rate: number | null };
export type FamilyComparison = Comparison & { p_holm_family: number | null; p_bh_family: number | null };

export type MetricResult = {
  metric: string;
  role: 'goal' | 'guardrail';
  primary: boolean;
  arms: ArmCount[];
  /** Empty while some arm has no unit (the engine needs n ≥ 1 everywhere). */
  comparisons: FamilyComparison[];
  prob_best: number[];
  srm: Analysis['srm'];
  verdict: Verdict;
  /** The engine's verdict, corrected across arms only. */
  verdict_within_metric: Verdict;
  label: string;
  label_zh: string;
  sample_size: { baseline: number; mde_relative: number; per_arm: number } | null;
};

export type StoreResult = { store_id: string | null; store: string | null; units: number; metrics: MetricResult[] };

export type ExperimentResults = {
  experiment_id: string;
  alpha: number;
  sequential: boolean;
  arms: Array<{ name: string; weight: number; units: number; sent: number }>;
  srm: { chi2: number; p: number; flagged: boolean; enough_traffic: boolean };
  primary: { metric: string; verdict: Verdict; label: string; label_zh: string } | null;
  metrics: MetricResult[];
  corrections: Array<{ metric: string; arm: string; p: number; p_holm: number; p_bh: number }>;
  per_store: StoreResult[];
  series: Series;
  /** Units whose arm is not (any more) an arm of the experiment: not analyzed. */
  unknown_arm_units: number;
};

/** The arms analyzed: the configured arms in order, then the holdout when it has a weight. */
export function analyzedArms(config: ResultsConfig): Array<{ id: string; weight: number }> {
  return [...config.arms, ...(config.holdoutWeight > 0 ? [{ id: HOLDOUT, weight: config.holdoutWeight }] : [])];
}

/** Marketer-facing words for a verdict; on a guardrail a "winner" is the arm with significantly more harm. */
export function verdictLabel(verdict: Verdict, role: 'goal' | 'guardrail'): { label: string; label_zh: string } {
  if (verdict === 'srm') return { label: 'sample-ratio mismatch: results untrustworthy', label_zh: '样本比例失衡，结果不可信' };
  if (verdict === 'insufficient_data') return { label: 'insufficient data', label_zh: '样本不足' };
  if (verdict === 'no_difference') return { label: 'no significant difference', label_zh: '无显著差异' };
  const arm = verdict.slice(verdict.indexOf(':') + 1);
  const up = verdict.startsWith('winner:');
  if (role === 'guardrail') {
    return up ? { label: `${arm} significantly higher than control (worse)`, label_zh: `${arm} 显著高于对照（更差）` } : { label: `${arm} significantly lower than control`, label_zh: `${arm} 显著低于对照` };
  }
  return up ? { label: `${arm} wins`, label_zh: `${arm} 胜出` } : { label: `${arm} is worse than control`, label_zh: `${arm} 显著差于对照` };
}

/** The p-value decisions use: peeking-safe F11 when the experiment is watched live, else pooled F4. */
export const decisionP = (c: Comparison, sequential: boolean): number => (sequential ? (c.p_sequential ?? 1) : c.p_pooled);

function countArms(arms: ReadonlyArray<{ id: string; weight: number }>, units: readonly AttributedUnit[], metric: string): ArmCount[] {
  return arms.map(({ id, weight }) => {
    const mine = units.filter((u) => u.arm === id);
    const conversions = mine.filter((u) => u.outcomes[metric] != null).length;
    return { name: id, weight, users: mine.length, conversions, rate: mine.length ? conversions / mine.length : null };
  });
}

function sampleSize(control: ArmCount | undefined): MetricResult['sample_size'] {
  if (!control || control.rate === null) return null;
  const input = { baseline: control.rate, mde: SAMPLE_SIZE_MDE, relative: true };
  return sampleSizeProblems(input).length ? null : { baseline: control.rate, mde_relative: SAMPLE_SIZE_MDE, per_arm: sampleSizePerArm(input) };
}

/** One metric through the engine (within-metric verdict); counts only while some arm has no unit. */
export function metricResult(config: ResultsConfig, units: readonly AttributedUnit[], metric: string, role: 'goal' | 'guardrail'): MetricResult {
  const arms = countArms(analyzedArms(config), units, metric);
  const base = { metric, role, primary: role === 'goal' && config.goals[0] === metric, arms, sample_size: role === 'goal' ? sampleSize(arms[0]) : null };
  if (arms.some((a) => a.users === 0)) {
    const srm = sampleRatioMismatch(arms.map((a) => a.users), arms.map((a) => a.weight));
    const verdict: Verdict = srm.flagged ? 'srm' : 'insufficient_data';
    return { ...base, comparisons: [], prob_best: [], srm: { chi2: srm.chi2, p: srm.p, flagged: srm.flagged }, verdict, verdict_within_metric: verdict, ...verdictLabel(verdict, role) };
  }
  const analysis = analyze(arms, { weights: arms.map((a) => a.weight), sequential: config.sequential, alpha: ALPHA });
  return {
    ...base,
    arms: analysis.arms.map((a, i) => ({ ...a, weight: arms[i]?.weight ?? 0 })),
    comparisons: analysis.comparisons.map((c) => ({ ...c, p_holm_family: null, p_bh_family: null })),
    prob_best: analysis.prob_best,
    srm: analysis.srm,
    verdict: analysis.verdict,
    verdict_within_metric: analysis.verdict,
    ...verdictLabel(analysis.verdict, role),
  };
}

/**
 * F12 across arms × goal metrics: corrects every goal comparison's decision p together, writes the
 * family-adjusted p-values beside the within-metric ones and re-decides each goal on its family Holm p.
 */
export function correctGoals(goals: MetricResult[], sequential: boolean): ExperimentResults['corrections'] {
  const flat = goals.flatMap((m) => m.comparisons.map((c) => ({ m, c, p: decisionP(c, sequential) })));
  const pHolm = holm(flat.map((f) => f.p));
  const pBh = benjaminiHochberg(flat.map((f) => f.p));
  flat.forEach((f, i) => {
    f.c.p_holm_family = pHolm[i] ?? 1;
    f.c.p_bh_family = pBh[i] ?? 1;
  });
  for (const m of goals) {
    if (!m.comparisons.length) continue;
    m.verdict = decide({
      arms: m.arms.map((a) => ({ name: a.name, users: a.users, conversions: a.conversions })),
      srmFlagged: m.srm.flagged,
      adjustedP: m.comparisons.map((c) => c.p_holm_family ?? 1),
      probBeatControl: m.comparisons.map((c) => c.prob_beat_control),
      probBest: m.prob_best,
      alpha: ALPHA,
      view: 'frequentist',
    });
    Object.assign(m, verdictLabel(m.verdict, 'goal'));
  }
  return flat.map((f, i) => ({ metric: f.m.metric, arm: f.c.arm, p: f.p, p_holm: pHolm[i] ?? 1, p_bh: pBh[i] ?? 1 }));
}

/** Every statistic of an experiment: overall, per store (stores by name), and the cumulative daily series. */
export function buildResults(input: { config: ResultsConfig; units: readonly AttributedUnit[]; stores: ReadonlyMap<string, string>; timezone: string; now: Date; windowDays: number }): ExperimentResults {
  const { config } = input;
  const armIds = new Set(analyzedArms(config).map((a) => a.id));
  const units = input.units.filter((u) => armIds.has(u.arm));
  const metrics = (list: readonly AttributedUnit[]) => [
    ...config.goals.map((g) => metricResult(config, list, g, 'goal')),
    ...config.guardrails.map((g) => metricResult(config, list, g, 'guardrail')),
  ];
  const overall = metrics(units);
  const corrections = correctGoals(overall.filter((m) => m.role === 'goal'), config.sequential);
  const arms = analyzedArms(config).map(({ id, weight }) => {
    const mine = units.filter((u) => u.arm === id);
    return { name: id, weight, units: mine.length, sent: mine.filter((u) => u.sentAt !== null).length };
  });
  const srm = sampleRatioMismatch(arms.map((a) => a.units), arms.map((a) => a.weight));
  const primary = overall.find((m) => m.primary);
  const storeIds = [...new Set(units.map((u) => u.storeId))];
  const name = (id: string | null) => (id === null ? null : (input.stores.get(id) ?? id));
  const perStore = storeIds
    .map((storeId) => {
      const mine = units.filter((u) => u.storeId === storeId);
      return { store_id: storeId, store: name(storeId), units: mine.length, metrics: metrics(mine) };
    })
    .sort((a, b) => (a.store ?? '\uffff').localeCompare(b.store ?? '\uffff'));
  return {
    experiment_id: config.experimentId,
    alpha: ALPHA,
    sequential: config.sequential,
    arms,
    srm: { chi2: srm.chi2, p: srm.p, flagged: srm.flagged, enough_traffic: srm.enoughTraffic },
    primary: primary ? { metric: primary.metric, verdict: primary.verdict, label: primary.label, label_zh: primary.label_zh } : null,
    metrics: overall,
    corrections,
    per_store: perStore,
    series: cumulativeSeries(units, arms.map((a) => a.name), [...config.goals, ...config.guardrails], { timezone: input.timezone, now: input.now, windowDays: input.windowDays }),
    unknown_arm_units: input.units.length - units.length,
  };
}
