/**
 * The input contract of the engine, as messages a marketer can act on. The CLI prints them; analyze()
 * throws them, so no statistic ever sees a count it would turn into NaN.
 */
import type { ArmCounts } from './proportions.ts';

export interface NamedArm extends ArmCounts {
  name: string;
}

function isCount(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

/** Problems with the arms and intended weights of an analysis, empty when they can be analyzed. */
export function armProblems(arms: readonly NamedArm[], weights?: readonly number[]): string[] {
  const problems: string[] = [];
  if (arms.length < 2) problems.push(`an experiment needs at least 2 arms, got ${arms.length}`);
  const seen = new Set<string>();
  for (const { name, users, conversions } of arms) {
    if (name.trim() === '') problems.push('arm names must not be empty');
    else if (seen.has(name)) problems.push(`duplicate arm name "${name}"`);
    seen.add(name);
    if (!isCount(users) || users === 0) problems.push(`arm "${name}": users must be a positive integer, got ${users}`);
    if (!isCount(conversions)) {
      problems.push(`arm "${name}": conversions must be a non-negative integer, got ${conversions}`);
    } else if (isCount(users) && conversions > users) {
      problems.push(`arm "${name}": conversions (${conversions}) exceed users (${users})`);
    }
  }
  if (weights) {
    if (weights.length !== arms.length) {
      problems.push(`expected ${arms.length} weights, one per arm, got ${weights.length}`);
    }
    if (!weights.every((w) => Number.isFinite(w) && w > 0)) problems.push('weights must all be positive numbers');
  }
  return problems;
}
