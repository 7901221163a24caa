/**
 * Auto-winner, pure: whether the decision rules let an experiment send every new assignment to one arm,
 * and the arms new assignments draw from once it has. Rules (docs: /work/shared/ab-statistics.md): the
 * experiment is running with auto-winner on; the results were decided on the peeking-safe sequential p (an
 * automatic check looks every time); no sample-ratio mismatch; the primary goal's verdict is `winner:<arm>`
 * (minimum sample reached, Holm-corrected across arms × goals below α) and the arm is not the holdout; and
 * no guardrail is significantly worse for that arm than for control, judged on the uncorrected pooled p: harm
 * is not explained away by corrections, and peeking there only makes the auto-winner more cautious.
 */
import { HOLDOUT } from './experiment.schema.ts';
import { ALPHA, decisionP, type ExperimentResults, type MetricResult } from './results.ts';

export type AutoWinnerCheck = { decide: true; arm: string; reason: string } | { decide: false; reason: string };

type ExperimentState = { status: string; autoWinner: { enabled: boolean; decidedArm?: string | null } };

/** The arms new assignments draw from: the decided winner alone, else every configured arm. */
export function effectiveArms<A extends { id: string }>(experiment: { arms: readonly A[]; autoWinner?: { decidedArm?: string | null } | null }): A[] {
  const winner = experiment.autoWinner?.decidedArm;
  const arm = winner ? experiment.arms.find((a) => a.id === winner) : undefined;
  return arm ? [arm] : [...experiment.arms];
}

const STATUS_ZH: Record<string, string> = { stopped: '已停止', decided: '已决定' };
const pText = (p: number) => (p !== 0 && p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
const share = (a: MetricResult['arms'][number] | undefined) => (a ? `${a.conversions}/${a.users}` : '?');

/** A guardrail on which `arm` is significantly higher (worse) than control, as a sentence; null when none. */
function guardrailHarm(m: MetricResult, arm: string): string | null {
  const c = m.comparisons.find((x) => x.arm === arm);
  if (!c || c.abs_lift <= 0) return null;
  const p = c.p_pooled;
  return p < ALPHA ? `护栏指标 ${m.metric} 变差：${arm} ${share(m.arms.find((a) => a.name === arm))} 对照 ${share(m.arms[0])}，p ${pText(p)} < ${ALPHA} guardrail ${m.metric}: ${arm} ${share(m.arms.find((a) => a.name === arm))} vs control ${share(m.arms[0])}, p ${pText(p)} < ${ALPHA}` : null;
}

/** Why the auto-winner cannot decide this experiment whatever its results, or null when it may look. */
export function autoWinnerBlocked(experiment: ExperimentState): string | null {
  if (!experiment.autoWinner.enabled) return '自动选优未开启 auto-winner is off';
  if (experiment.autoWinner.decidedArm) return `已选出 ${experiment.autoWinner.decidedArm} already decided: ${experiment.autoWinner.decidedArm}`;
  if (experiment.status !== 'running') return `实验不在进行中（${STATUS_ZH[experiment.status] ?? experiment.status}）the experiment is ${experiment.status}`;
  return null;
}

/** Applies the rules above to results of this experiment; says why in either case. */
export function autoWinnerCheck(experiment: ExperimentState, results: ExperimentResults): AutoWinnerCheck {
  const blocked = autoWinnerBlocked(experiment);
  if (blocked) return { decide: false, reason: blocked };
  if (!results.sequential) return { decide: false, reason: '自动选优只按序贯 p 值（可随时查看）判定 auto-winner decides only on peeking-safe sequential p-values' };
  if (results.srm.flagged) return { decide: false, reason: `样本比例失衡，结果不可信（χ² ${results.srm.chi2.toFixed(2)}，p ${pText(results.srm.p)}）sample-ratio mismatch: results untrustworthy` };
  const primary = results.metrics.find((m) => m.primary);
  if (!primary) return { decide: false, reason: '没有主要目标 no primary goal' };
  if (!primary.verdict.startsWith('winner:')) return { decide: false, reason: `${primary.metric}：${primary.label_zh} ${primary.label}` };
  const arm = primary.verdict.slice('winner:'.length);
  if (arm === HOLDOUT) return { decide: false, reason: `${primary.metric}：留出组（不发送）好于所有消息，请人工复核实验 the holdout beats every message; review the experiment by hand` };
  const harms = results.metrics.filter((m) => m.role === 'guardrail').map((m) => guardrailHarm(m, arm));
  const harm = harms.find((h) => h !== null);
  if (harm) return { decide: false, reason: harm };
  const c = primary.comparisons.find((x) => x.arm === arm);
  const control = primary.arms[0];
  const guardrails = results.metrics.filter((m) => m.role === 'guardrail').map((m) => m.metric);
  return {
    decide: true,
    arm,
    reason:
      `${primary.metric}：${arm} 胜出，序贯 p 经 Holm 校正 ${pText(c?.p_holm_family ?? 1)} < ${ALPHA}，已达最小样本，无样本比例失衡，护栏未变差。` +
      `${primary.metric}: ${arm} ${share(primary.arms.find((a) => a.name === arm))} beats control ${control?.name ?? '?'} ${share(control)}; ` +
      `sequential p ${pText(c ? decisionP(c, true) : 1)}, Holm-corrected across arms × goals ${pText(c?.p_holm_family ?? 1)} < ${ALPHA}; ` +
      `minimum sample reached; no SRM (p ${pText(results.srm.p)}); ` +
      (guardrails.length ? `guardrails ${guardrails.join(', ')} not significantly worse` : 'no guardrails'),
  };
}
