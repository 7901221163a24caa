/**
 * Deterministic A/B assignment: sha256 of (seed key, contact id) → a point in [0, 1) → the variant whose
 * share of the total weight covers it. The same contact always gets the same variant for the same
 * experiment or step, on every machine, without storing anything first (the engine records it anyway).
 */
import { createHash } from 'node:crypto';

const SCALE = 2 ** 48;

/** A uniform point in [0, 1) from the first 48 bits of sha256(JSON [seedKey, contactId]). */
export function assignmentPoint(seedKey: string, contactId: string): number {
  const digest = createHash('sha256').update(JSON.stringify([seedKey, contactId])).digest();
  return digest.readUIntBE(0, 6) / SCALE;
}

/** The variant for this contact; weights need not sum to 1 or 100, only be positive. */
export function assignVariant<V extends { weight: number }>(seedKey: string, contactId: string, variants: readonly V[]): V {
  if (variants.length === 0) throw new RangeError('assignVariant needs at least one variant');
  if (!variants.every((v) => Number.isFinite(v.weight) && v.weight > 0)) throw new RangeError('variant weights must be positive');
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  const target = assignmentPoint(seedKey, contactId) * total;
  let cumulative = 0;
  for (const v of variants) {
    cumulative += v.weight;
    if (target < cumulative) return v;
  }
  return variants[variants.length - 1] as V;
}

/** The seed an SOP send step uses: its `experiment`, else `<sop id>/<step id>`. */
export function variantSeed(sopId: string, step: { id: string; experiment?: string }): string {
  return step.experiment ?? `${sopId}/${step.id}`;
}
