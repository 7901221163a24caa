/**
 * The decision rules of the spec: declare nothing before a minimum sample, never declare on an SRM, and
 * otherwise only on a corrected p-value (or P(best) in the Bayesian view).
 */
import type { ArmCounts } from './proportions.ts';
import { rate } from './proportions.ts';
import type { NamedArm } from './validate.ts';

export type Verdict = 'insufficient_data' | 'no_difference' | 'srm' | `winner:${string}` | `loser:${string}`;

/** Optimizely: at least 100 units and 25 conversions in every arm. */
export const MIN_USERS_PER_ARM = 100;
export const MIN_CONVERSIONS_PER_ARM = 25;
/** GrowthBook: at least 150 conversions in the larger arm. */
export const MIN_CONVERSIONS_LARGEST_ARM = 150;
/** Bayesian view: P(best) above this names a winner; P(beat control) below 1 − this names a loser. */
export const BAYES_THRESHOLD = 0.95;

/** Both vendors' minimum samples at once: the stricter rule wins on each side. */
export function hasMinimumSample(arms: readonly ArmCounts[]): boolean {
  return (
    arms.every((a) => a.users >= MIN_USERS_PER_ARM && a.conversions >= MIN_CONVERSIONS_PER_ARM) &&
    Math.max(...arms.map((a) => a.conversions)) >= MIN_CONVERSIONS_LARGEST_ARM
  );
}

export interface DecisionInput {
  /** Arm 0 is control. */
  arms: readonly NamedArm[];
  srmFlagged: boolean;
  /** Holm-adjusted p of each variant against control (arms 1…k−1, in order). */
  adjustedP: readonly number[];
  /** P(beat control) of each variant (arms 1…k−1, in order). */
  probBeatControl: readonly number[];
  /** P(best) of every arm, control included. */
  probBest: readonly number[];
  alpha: number;
  view: 'frequentist' | 'bayesian';
}

function extreme(arms: readonly NamedArm[], pick: 'max' | 'min'): NamedArm | undefined {
  const sign = pick === 'max' ? 1 : -1;
  return [...arms].sort((x, y) => sign * (rate(y) - rate(x)))[0];
}

/**
 * Decision rules of the spec. Precedence: SRM, then minimum sample, then the best significant winner,
 * then the worst significant loser. A loser is a variant that is significantly worse than control.
 */
export function decide(input: DecisionInput): Verdict {
  const { arms, alpha } = input;
  if (input.srmFlagged) return 'srm';
  if (!hasMinimumSample(arms)) return 'insufficient_data';
  const control = arms[0];
  if (!control) return 'insufficient_data';
  const variants = arms.slice(1);
  let winners: NamedArm[];
  let losers: NamedArm[];
  if (input.view === 'bayesian') {
    winners = variants.filter((_, i) => (input.probBest[i + 1] ?? 0) > BAYES_THRESHOLD);
    losers = variants.filter((_, i) => (input.probBeatControl[i] ?? 0.5) < 1 - BAYES_THRESHOLD);
  } else {
    const significant = variants.filter((_, i) => (input.adjustedP[i] ?? 1) < alpha);
    winners = significant.filter((a) => rate(a) > rate(control));
    losers = significant.filter((a) => rate(a) < rate(control));
  }
  const winner = extreme(winners, 'max');
  if (winner) return `winner:${winner.name}`;
  const loser = extreme(losers, 'min');
  return loser ? `loser:${loser.name}` : 'no_difference';
}
