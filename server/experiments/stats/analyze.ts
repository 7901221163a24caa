/**
 * One full analysis of a conversion experiment: k arms, each compared with arm 0 (control), in the JSON
 * shape the CLI prints and the dashboard renders. Snake-case keys because this object is that JSON.
 */
import { posterior, probBeatControl } from './bayes.ts';
import { decide } from './decision.ts';
import type { Verdict } from './decision.ts';
import { benjaminiHochberg, holm } from './multiple-comparisons.ts';
import { probBest } from './prob-best.ts';
import { absoluteLift, pooledZTest, rate, relativeLift, unpooledZTest } from './proportions.ts';
import { relativeWelchTest } from './relative-welch.ts';
import { sequentialPValue } from './sequential.ts';
import { sampleRatioMismatch } from './srm.ts';
import { armProblems } from './validate.ts';
import type { NamedArm } from './validate.ts';

export interface AnalyzeOptions {
  /** Intended split for the SRM check (F7); equal when omitted. */
  weights?: readonly number[];
  /** Significance level of the decision; the CIs stay 95%. */
  alpha?: number;
  /** The marketer watches daily: correct and decide on the peeking-safe F11 p-value instead of F4. */
  sequential?: boolean;
  /** Decide on corrected p-values, or on P(best) > 0.95. */
  view?: 'frequentist' | 'bayesian';
}

export interface ArmSummary {
  name: string;
  users: number;
  conversions: number;
  rate: number;
}

/** One variant against control. Null marks a statistic that is undefined for these counts. */
export interface Comparison {
  arm: string;
  abs_lift: number;
  rel_lift: number | null;
  z_pooled: number;
  p_pooled: number;
  p_unpooled: number | null;
  ci95_abs: [number, number];
  p_welch_rel: number | null;
  ci95_rel: [number, number] | null;
  p_sequential: number | null;
  prob_beat_control: number;
  /** Holm over the variants' p_pooled (p_sequential with `sequential`); the auto-winner uses this one. */
  p_holm: number;
  p_bh: number;
}

export interface Analysis {
  arms: ArmSummary[];
  comparisons: Comparison[];
  prob_best: number[];
  srm: { chi2: number; p: number; flagged: boolean };
  verdict: Verdict;
}

/**
 * Composes F1–F12 and the decision rules for arms[1…] against arms[0]. prob_best is exact F8 for two
 * arms and F9 quadrature beyond. Throws RangeError listing every problem when `armProblems` rejects the
 * input.
 */
export function analyze(arms: readonly NamedArm[], options: AnalyzeOptions = {}): Analysis {
  const problems = armProblems(arms, options.weights);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const { alpha = 0.05, sequential = false, view = 'frequentist' } = options;
  const [control, ...variants] = arms as [NamedArm, ...NamedArm[]];

  const partial = variants.map((b) => {
    const pooled = pooledZTest(control, b);
    const wald = unpooledZTest(control, b);
    const welch = relativeWelchTest(control, b);
    return {
      arm: b.name,
      abs_lift: absoluteLift(control, b),
      rel_lift: relativeLift(control, b),
      z_pooled: pooled.z,
      p_pooled: pooled.p,
      p_unpooled: wald.p,
      ci95_abs: wald.ci95,
      p_welch_rel: welch?.p ?? null,
      // A rate cannot fall below 0, so the relative lift cannot fall below −100%: the Welch interval is cut there.
      ci95_rel: welch ? ([Math.max(-1, welch.ci95[0]), welch.ci95[1]] as [number, number]) : null,
      // α of the mixture is the decision's α, so the peeking-safe p answers the same question.
      p_sequential: sequentialPValue(control, b, alpha),
      prob_beat_control: probBeatControl(control, b),
    };
  });
  // An undefined sequential p is no evidence at all, so it enters the correction as 1.
  const decisionP = partial.map((c) => (sequential ? (c.p_sequential ?? 1) : c.p_pooled));
  const pHolm = holm(decisionP);
  const pBh = benjaminiHochberg(decisionP);
  const comparisons: Comparison[] = partial.map((c, i) => ({ ...c, p_holm: pHolm[i] ?? 1, p_bh: pBh[i] ?? 1 }));

  const first = partial[0];
  const best =
    arms.length === 2 && first
      ? [1 - first.prob_beat_control, first.prob_beat_control]
      : probBest(arms.map(posterior));
  const srm = sampleRatioMismatch(
    arms.map((a) => a.users),
    options.weights,
  );
  const verdict = decide({
    arms,
    srmFlagged: srm.flagged,
    adjustedP: pHolm,
    probBeatControl: partial.map((c) => c.prob_beat_control),
    probBest: best,
    alpha,
    view,
  });
  return {
    arms: arms.map((a) => ({ name: a.name, users: a.users, conversions: a.conversions, rate: rate(a) })),
    comparisons,
    prob_best: best,
    srm: { chi2: srm.chi2, p: srm.p, flagged: srm.flagged },
    verdict,
  };
}
