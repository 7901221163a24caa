/**
 * Units needed per arm to detect a conversion-rate change, F13: the pooled-null formula without continuity
 * correction that R's `power.prop.test` solves.
 */
import { zQuantile } from './distributions.ts';

export interface SampleSizeInput {
  /** Control conversion rate p₁, in (0, 1). */
  baseline: number;
  /** Minimum detectable effect: absolute (p₂ = p₁ + d) or, with `relative`, p₂ = p₁(1 + d). */
  mde: number;
  relative?: boolean;
  alpha?: number;
  power?: number;
  /**
   * 'pooled' (default, F13): null variance 2p̄q̄ at p̄ = (p₁+p₂)/2. 'baseline': 2p₁q₁, Evan Miller's
   * calculator, kept to reproduce its figures.
   */
  nullVariance?: 'pooled' | 'baseline';
}

/** F13: p₂ implied by the baseline p₁ and the minimum detectable effect. */
export function targetRate(baseline: number, mde: number, relative = false): number {
  return relative ? baseline * (1 + mde) : baseline + mde;
}

/** The problems with an F13 request (p₁, p₂ in (0, 1), p₂ ≠ p₁, α and power in (0, 1)); empty when valid. */
export function sampleSizeProblems(input: SampleSizeInput): string[] {
  const { baseline, mde, relative = false, alpha = 0.05, power = 0.8 } = input;
  const problems: string[] = [];
  const inUnit = (x: number) => Number.isFinite(x) && x > 0 && x < 1;
  if (!inUnit(baseline)) problems.push(`baseline must be a rate strictly between 0 and 1, got ${baseline}`);
  if (!Number.isFinite(mde) || mde === 0) problems.push(`mde must be a non-zero number, got ${mde}`);
  else if (inUnit(baseline) && !inUnit(targetRate(baseline, mde, relative))) {
    problems.push(`baseline ${baseline} with mde ${mde} gives a target rate outside (0, 1)`);
  }
  if (!inUnit(alpha)) problems.push(`alpha must be strictly between 0 and 1, got ${alpha}`);
  if (!inUnit(power)) problems.push(`power must be strictly between 0 and 1, got ${power}`);
  return problems;
}

/**
 * F13: n = (z_{1−α/2}·√(2p̄q̄) + z_power·√(p₁q₁ + p₂q₂))² / δ² per arm, as a real number;
 * round up only for display. Throws RangeError on the inputs `sampleSizeProblems` rejects.
 */
export function sampleSizePerArm(input: SampleSizeInput): number {
  const problems = sampleSizeProblems(input);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const { baseline: p1, mde, relative = false, alpha = 0.05, power = 0.8, nullVariance = 'pooled' } = input;
  const p2 = targetRate(p1, mde, relative);
  const pNull = nullVariance === 'pooled' ? (p1 + p2) / 2 : p1;
  const root =
    zQuantile(1 - alpha / 2) * Math.sqrt(2 * pNull * (1 - pNull)) +
    zQuantile(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return (root * root) / ((p2 - p1) * (p2 - p1));
}
