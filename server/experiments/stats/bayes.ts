/**
 * Bayesian views of a conversion test. F8 is the exact P(B>A) under Beta(1,1) priors; the two normal views
 * exist to reproduce the figures GrowthBook and the spec publish for comparison.
 */
import betaln from '@stdlib/math-base-special-betaln';
import { Z_975, phi } from './distributions.ts';
import { probBest } from './prob-best.ts';
import type { BetaPosterior } from './prob-best.ts';
import type { ArmCounts } from './proportions.ts';
import { relativeDelta } from './relative-welch.ts';

export type { BetaPosterior } from './prob-best.ts';

/** Above this many terms (~50 ms) the F9 quadrature is as exact and much faster. */
const MAX_EXACT_TERMS = 200_000;

/** F8: posterior Beta(1 + x, 1 + n − x) of a Beta(1,1) prior. */
export function posterior(arm: ArmCounts): BetaPosterior {
  return { alpha: 1 + arm.conversions, beta: 1 + arm.users - arm.conversions };
}

/**
 * P(Y > X) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), integer a2: Σ_{i<a2} B(a1+i, b1+b2) /
 * ((b2+i)·B(1+i, b2)·B(a1, b1)), each term in log space so large counts cannot overflow B(·,·).
 */
function exactSum(a1: number, b1: number, a2: number, b2: number): number {
  const logNorm = betaln(a1, b1);
  let sum = 0;
  for (let i = 0; i < a2; i++) {
    sum += Math.exp(betaln(a1 + i, b1 + b2) - Math.log(b2 + i) - betaln(1 + i, b2) - logNorm);
  }
  return sum;
}

/**
 * F8: P(p_B > p_A) for Beta posteriors. The sum runs over whichever of the four equivalent forms (by
 * symmetry p ↦ 1 − p and by complement) needs the fewest terms; the complement forms are chosen only
 * when they are shorter, which happens when the answer is near 1 and cancellation costs nothing.
 */
export function probBGreaterThanA(a: BetaPosterior, b: BetaPosterior): number {
  const forms = [
    { terms: b.alpha, value: () => exactSum(a.alpha, a.beta, b.alpha, b.beta) },
    { terms: a.beta, value: () => exactSum(b.beta, b.alpha, a.beta, a.alpha) },
    { terms: a.alpha, value: () => 1 - exactSum(b.alpha, b.beta, a.alpha, a.beta) },
    { terms: b.beta, value: () => 1 - exactSum(a.beta, a.alpha, b.beta, b.alpha) },
  ].filter((f) => Number.isInteger(f.terms));
  const best = forms.sort((x, y) => x.terms - y.terms)[0];
  const value = best && best.terms <= MAX_EXACT_TERMS ? best.value() : (probBest([a, b])[1] ?? 0.5);
  return Math.min(1, Math.max(0, value));
}

/** F8 for two arms' counts under Beta(1,1) priors. */
export function probBeatControl(control: ArmCounts, variant: ArmCounts): number {
  return probBGreaterThanA(posterior(control), posterior(variant));
}

/** F8 by a normal approximation of the two Beta posteriors; kept only to show how far it is from exact. */
export function probBeatControlNormal(control: ArmCounts, variant: ArmCounts): number {
  const moments = ({ alpha, beta }: BetaPosterior) => ({
    mean: alpha / (alpha + beta),
    variance: (alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)),
  });
  const a = moments(posterior(control));
  const b = moments(posterior(variant));
  return phi((b.mean - a.mean) / Math.sqrt(a.variance + b.variance));
}

export interface RelativeLiftPosterior {
  lift: number;
  ci95: [number, number];
  chanceToWin: number;
}

/**
 * GrowthBook's Bayesian view with a flat prior: the relative lift (F3) is normal with the F10 delta-method
 * variance, so the 95% credible interval is lift ± z₀.₉₇₅·se and the chance to win Φ(lift/se).
 * Null when control never converted.
 */
export function relativeLiftPosterior(control: ArmCounts, variant: ArmCounts): RelativeLiftPosterior | null {
  const delta = relativeDelta(control, variant);
  if (!delta) return null;
  const se = Math.sqrt(delta.variance);
  const { lift } = delta;
  if (se === 0) return { lift, ci95: [lift, lift], chanceToWin: lift > 0 ? 1 : lift < 0 ? 0 : 0.5 };
  return { lift, ci95: [lift - Z_975 * se, lift + Z_975 * se], chanceToWin: phi(lift / se) };
}
