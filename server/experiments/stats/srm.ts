/**
 * Sample-ratio mismatch, F7: did assignment deliver the intended split? A flagged experiment is
 * untrustworthy whatever its p-values (see decision.ts).
 */
import { chiSquareUpperTail } from './distributions.ts';

/** GrowthBook's default threshold: a true 50/50 split flags once in a thousand experiments. */
export const SRM_P_THRESHOLD = 0.001;

/** Below this many units in some arm the χ² approximation is too rough to accuse the assignment. */
export const SRM_MIN_UNITS_PER_ARM = 8;

export interface SrmResult {
  chi2: number;
  p: number;
  flagged: boolean;
  /** false while some arm has fewer than 8 units: shown as "not enough traffic", never flagged. */
  enoughTraffic: boolean;
}

/**
 * F7: χ² = Σ(o_i − e_i)²/e_i with e_i = w_i/Σw·Σo, p from the χ² upper tail with k − 1 df,
 * flagged when p < 0.001 and every arm has at least 8 units.
 * @param users observed units per arm
 * @param weights intended split, any positive scale (50,50 or 0.2,0.8); equal when omitted
 */
export function sampleRatioMismatch(users: readonly number[], weights?: readonly number[]): SrmResult {
  const w = weights ?? users.map(() => 1);
  if (w.length !== users.length) throw new RangeError('weights and arms differ in count');
  if (!w.every((x) => Number.isFinite(x) && x > 0)) throw new RangeError('weights must be positive');
  const totalUsers = users.reduce((s, o) => s + o, 0);
  const totalWeight = w.reduce((s, x) => s + x, 0);
  const enoughTraffic = users.every((o) => o >= SRM_MIN_UNITS_PER_ARM);
  if (totalUsers === 0 || users.length < 2) return { chi2: 0, p: 1, flagged: false, enoughTraffic };
  let chi2 = 0;
  users.forEach((o, i) => {
    const e = ((w[i] ?? 0) / totalWeight) * totalUsers;
    chi2 += ((o - e) * (o - e)) / e;
  });
  const p = chiSquareUpperTail(chi2, users.length - 1);
  return { chi2, p, flagged: enoughTraffic && p < SRM_P_THRESHOLD, enoughTraffic };
}
