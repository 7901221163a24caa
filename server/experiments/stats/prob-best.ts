/**
 * P(arm is best) among k arms, F9: ∫ f_i(p) Π_{j≠i} F_j(p) dp over the Beta posteriors, by Gauss–Legendre
 * quadrature on a grid cut where the posteriors change shape.
 */
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import betaPdf from '@stdlib/stats-base-dists-beta-pdf';

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

const GL_ORDER = 16;

/** Nodes and weights on [−1, 1]: Newton's method on the Legendre polynomial from its Chebyshev guess. */
function gaussLegendre(order: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= Math.ceil(order / 2); i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (order + 0.5));
    let derivative = 1;
    for (let step = 0; step < 100; step++) {
      let p0 = 1;
      let p1 = x;
      for (let j = 2; j <= order; j++) [p0, p1] = [p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j];
      derivative = (order * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * derivative * derivative);
    nodes.push(-x, x);
    weights.push(w, w);
  }
  if (order % 2 === 1) {
    nodes.pop();
    weights.pop();
  }
  return { nodes, weights };
}

const GL = gaussLegendre(GL_ORDER);

// Standard deviations from each posterior mean at which to cut: dense where a CDF turns from 0 to 1,
// sparse far out, and wide enough (40σ) that the exponential tail of a 0-conversion arm is covered.
const SPREAD = [0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30, 40];

function breakpoints(posteriors: readonly BetaPosterior[]): number[] {
  const cuts = new Set<number>();
  for (const { alpha, beta } of posteriors) {
    const mean = alpha / (alpha + beta);
    const sd = Math.sqrt((alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)));
    for (const s of SPREAD) {
      cuts.add(Math.min(1, Math.max(0, mean - s * sd)));
      cuts.add(Math.min(1, Math.max(0, mean + s * sd)));
    }
  }
  return [...cuts].sort((x, y) => x - y);
}

/**
 * F9: probability that each arm has the highest true rate, one entry per posterior, summing to 1.
 * Ties have probability zero for continuous posteriors, so identical arms get 1/k each.
 */
export function probBest(posteriors: readonly BetaPosterior[]): number[] {
  const k = posteriors.length;
  const sums: number[] = new Array<number>(k).fill(0);
  const cuts = breakpoints(posteriors);
  const pdf = new Array<number>(k).fill(0);
  const cdf = new Array<number>(k).fill(0);
  for (let s = 1; s < cuts.length; s++) {
    const lo = cuts[s - 1] ?? 0;
    const hi = cuts[s] ?? 1;
    const half = (hi - lo) / 2;
    GL.nodes.forEach((node, g) => {
      const x = lo + half * (node + 1);
      posteriors.forEach(({ alpha, beta }, j) => (pdf[j] = betaPdf(x, alpha, beta)));
      if (pdf.every((f) => f === 0)) return;
      posteriors.forEach(({ alpha, beta }, j) => (cdf[j] = betaCdf(x, alpha, beta)));
      const w = half * (GL.weights[g] ?? 0);
      for (let i = 0; i < k; i++) {
        let others = 1;
        for (let j = 0; j < k; j++) if (j !== i) others *= cdf[j] ?? 0;
        sums[i] = (sums[i] ?? 0) + w * (pdf[i] ?? 0) * others;
      }
    });
  }
  const total = sums.reduce((t, v) => t + v, 0);
  // Normalising removes the last quadrature error so the column adds up to exactly 100% on screen.
  return total > 0 ? sums.map((v) => Math.min(1, Math.max(0, v / total))) : sums.map(() => 1 / k);
}
