/**
 * The only file that touches the @stdlib distributions, so every p-value in the engine goes through the
 * numerical rules of the spec (docs: /work/shared/ab-statistics.md, "Numerical rules").
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import gammainc from '@stdlib/math-base-special-gammainc';

/**
 * z₀.₉₇₅ as the correctly rounded double. stdlib's quantile returns the neighbouring double (one ulp low),
 * and the reference values of the spec are computed with this one.
 */
export const Z_975 = 1.959963984540054;

/** Standard normal quantile, for the α and power of F13. */
export function zQuantile(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** Standard normal CDF Φ, for the normal views of F8 and the flat-prior chance to win. */
export function phi(x: number): number {
  return normalCdf(x, 0, 1);
}

/** Two-sided normal p-value 2Φ(−|z|): `1 − Φ(|z|)` would round to 0 below p ≈ 1e-16. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** Two-sided Student t p-value 2·F_t(−|t|; ν), F10. */
export function twoSidedTP(t: number, nu: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), nu));
}

/** t₀.₉₇₅ with ν degrees of freedom; the normal value once ν is too large to matter. */
export function t975(nu: number): number {
  return Number.isFinite(nu) ? tQuantile(0.975, nu) : Z_975;
}

/** χ² upper tail by the regularized upper incomplete gamma, F7: `1 − cdf` loses everything below 1e-16. */
export function chiSquareUpperTail(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}
