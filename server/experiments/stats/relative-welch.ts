/**
 * GrowthBook's frequentist test of the relative lift, F10: delta-method variance of p̂_B/p̂_A − 1 and a
 * Welch t with Welch–Satterthwaite degrees of freedom.
 */
import { t975, twoSidedTP } from './distributions.ts';
import type { ArmCounts } from './proportions.ts';
import { bernoulliVariance, rate } from './proportions.ts';

export interface RelativeDelta {
  lift: number;
  /** Var(lift) = σ²_B/(μ_A² n_B) + σ²_A μ_B²/(μ_A⁴ n_A), σ² = p̂(1−p̂). */
  variance: number;
  /** Welch–Satterthwaite ν; null when neither arm varies (every estimate is then exact). */
  nu: number | null;
}

/** F10 building block, shared with F11 and the flat-prior Bayesian view: null when μ_A = 0. */
export function relativeDelta(a: ArmCounts, b: ArmCounts): RelativeDelta | null {
  const muA = rate(a);
  const muB = rate(b);
  if (muA === 0) return null;
  const varA = bernoulliVariance(a);
  const varB = bernoulliVariance(b);
  const variance = varB / (muA * muA * b.users) + (varA * muB * muB) / (muA ** 4 * a.users);
  const sA = varA / a.users;
  const sB = varB / b.users;
  // An arm without variance adds nothing, and may have n = 1 where n − 1 would divide by zero.
  const denominator = (sA > 0 ? (sA * sA) / (a.users - 1) : 0) + (sB > 0 ? (sB * sB) / (b.users - 1) : 0);
  const nu = denominator > 0 ? ((sA + sB) * (sA + sB)) / denominator : null;
  return { lift: muB / muA - 1, variance, nu };
}

export interface RelativeWelchTest {
  lift: number;
  se: number;
  nu: number | null;
  /** null when se = 0 but the lift is not 0 (e.g. 0 conversions in B): the t statistic is undefined. */
  p: number | null;
  ci95: [number, number];
}

/**
 * F10: Welch t-test of the relative lift, p = 2·F_t(−|t|; ν), CI lift ± t₀.₉₇₅(ν)·se.
 * Returns null when control has no conversions, where the relative lift itself is undefined.
 */
export function relativeWelchTest(a: ArmCounts, b: ArmCounts): RelativeWelchTest | null {
  const delta = relativeDelta(a, b);
  if (!delta) return null;
  const { lift, variance, nu } = delta;
  const se = Math.sqrt(variance);
  if (se === 0 || nu === null) {
    return { lift, se: 0, nu, p: lift === 0 ? 1 : null, ci95: [lift, lift] };
  }
  const half = t975(nu) * se;
  return { lift, se, nu, p: twoSidedTP(lift / se, nu), ci95: [lift - half, lift + half] };
}
