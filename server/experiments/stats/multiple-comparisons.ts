/**
 * Multiple-comparison corrections, F12, across every (arm × goal metric) p-value of one experiment.
 * Both return adjusted p-values in the input order, so "adjusted p < α" is the decision.
 */

function ascendingOrder(pValues: readonly number[]): number[] {
  return pValues.map((_, i) => i).sort((i, j) => (pValues[i] ?? 1) - (pValues[j] ?? 1));
}

/**
 * F12 Holm: step-down, the i-th smallest p (1-based) times m − i + 1, made monotone by a running
 * maximum and capped at 1. Controls the family-wise error rate; used for the auto-winner.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m).fill(1);
  let runningMax = 0;
  ascendingOrder(pValues).forEach((index, rank) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - rank) * (pValues[index] ?? 1)));
    adjusted[index] = runningMax;
  });
  return adjusted;
}

/**
 * F12 Benjamini–Hochberg: step-up, the i-th smallest p times m/i, made monotone by a running minimum from
 * the largest p down and capped at 1. Controls the false discovery rate.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m).fill(1);
  const order = ascendingOrder(pValues);
  let runningMin = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank] ?? 0;
    runningMin = Math.min(runningMin, (m / (rank + 1)) * (pValues[index] ?? 1));
    adjusted[index] = runningMin;
  }
  return adjusted;
}
