/**
 * Two-proportion statistics of one arm against control, F1–F6 of the spec. Arm 0 is control A.
 * Every function expects users ≥ 1 and 0 ≤ conversions ≤ users (see validate.ts).
 */
import { Z_975, twoSidedNormalP } from './distributions.ts';

export interface ArmCounts {
  users: number;
  conversions: number;
}

/** F1: p̂ = x/n. */
export function rate(arm: ArmCounts): number {
  return arm.conversions / arm.users;
}

/** σ² = p̂(1−p̂) of F5 and F10, from the counts so that a rate of exactly 0 or 1 gives exactly 0. */
export function bernoulliVariance(arm: ArmCounts): number {
  return (arm.conversions * (arm.users - arm.conversions)) / (arm.users * arm.users);
}

/** F2: p̂_B − p̂_A. */
export function absoluteLift(a: ArmCounts, b: ArmCounts): number {
  return rate(b) - rate(a);
}

/** F3: (p̂_B − p̂_A)/p̂_A, null (not Infinity) when control never converted. */
export function relativeLift(a: ArmCounts, b: ArmCounts): number | null {
  const pA = rate(a);
  return pA === 0 ? null : (rate(b) - pA) / pA;
}

export interface PooledZTest {
  z: number;
  p: number;
  se: number;
}

/**
 * F4: pooled two-proportion z-test, no continuity correction. se₀ = 0 only when both arms are all-0 or
 * all-1, where the rates are equal, so the spec's p = 1 comes with z = 0.
 */
export function pooledZTest(a: ArmCounts, b: ArmCounts): PooledZTest {
  const n = a.users + b.users;
  const x = a.conversions + b.conversions;
  const se = Math.sqrt(((x * (n - x)) / (n * n)) * (1 / a.users + 1 / b.users));
  if (se === 0) return { z: 0, p: 1, se: 0 };
  const z = absoluteLift(a, b) / se;
  return { z, p: twoSidedNormalP(z), se };
}

export interface WaldTest {
  /** null when se₁ = 0 but the rates differ (0% against 100%): the Wald statistic is undefined. */
  z: number | null;
  p: number | null;
  se: number;
  ci95: [number, number];
}

/**
 * F5 and F6: unpooled (Wald) z-test and the 95% CI of p̂_B − p̂_A with the exact z₀.₉₇₅.
 * Equal rates with se₁ = 0 (zero conversions in both arms) give p = 1 and CI [0, 0] as the spec asks.
 */
export function unpooledZTest(a: ArmCounts, b: ArmCounts): WaldTest {
  const diff = absoluteLift(a, b);
  const se = Math.sqrt(bernoulliVariance(a) / a.users + bernoulliVariance(b) / b.users);
  const ci95: [number, number] = [diff - Z_975 * se, diff + Z_975 * se];
  if (se === 0) return diff === 0 ? { z: 0, p: 1, se, ci95 } : { z: null, p: null, se, ci95 };
  const z = diff / se;
  return { z, p: twoSidedNormalP(z), se, ci95 };
}
