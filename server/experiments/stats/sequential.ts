/**
 * GrowthBook's peeking-safe p-value, F11: a normal-mixture SPRT on the relative lift, valid however often
 * the marketer looks at the dashboard.
 */
import type { ArmCounts } from './proportions.ts';
import { relativeDelta } from './relative-welch.ts';

/** GrowthBook's default tuning: the sample size at which the test is most powerful. */
export const SEQUENTIAL_TUNING_N = 5000;

/** ρ = √((−2 ln α + ln(−2 ln α + 1))/N*), F11. */
export function sequentialRho(alpha = 0.05, tuningN = SEQUENTIAL_TUNING_N): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuningN);
}

/**
 * F11: e = exp(ρ²·st²/(2(Nρ²+1)))/√(Nρ²+1), st² = Δ̂²·N/se², p = min(1, 1/e), on the F10 relative lift
 * and delta-method variance with N = n_A + n_B. Null when the relative lift is undefined (control at 0%) or
 * its variance is 0 while the lift is not.
 */
export function sequentialPValue(
  a: ArmCounts,
  b: ArmCounts,
  alpha = 0.05,
  tuningN = SEQUENTIAL_TUNING_N,
): number | null {
  const delta = relativeDelta(a, b);
  if (!delta) return null;
  if (delta.variance === 0) return delta.lift === 0 ? 1 : null;
  const n = a.users + b.users;
  const rho2 = sequentialRho(alpha, tuningN) ** 2;
  const st2 = (delta.lift * delta.lift * n) / delta.variance;
  const tr2p1 = n * rho2 + 1;
  // In log space: e overflows to Infinity long before 1/e stops being a meaningful 0.
  const logE = (rho2 * st2) / (2 * tr2p1) - 0.5 * Math.log(tr2p1);
  return Math.min(1, Math.exp(-logE));
}
