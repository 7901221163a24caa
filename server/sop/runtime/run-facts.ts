/**
 * What a run's steps read and change outside the ledger: exits and branches read the event log and the tag
 * library, tag steps change the contact's tags, sends with variants draw from the experiment. The runner gets
 * these as one port, so its step logic is tested over an in-memory fake (runner.unit.spec.ts).
 */
import type { Condition, ExitCondition } from '../definition/sop.schema.ts';
import { evaluateCondition, exitReason, type ConditionDeps } from './conditions.ts';
import type { ContactRouting } from './routing.ts';
import type { SopContacts, SopExperiments, SopTags } from './sop-ports.ts';
import { tagIdsForNames } from './tag-names.ts';

type Variant = { id: string; template: string; weight: number };
type Holdout = { contactId: string; storeId: string | null; at: Date };

export type RunFacts = {
  /** The first exit condition that holds, or null. */
  exitReason(corpId: string, routing: ContactRouting, exitOn: readonly ExitCondition[], enteredAt: Date, subject: string): Promise<string | null>;
  /** Whether a branch condition holds. */
  holds(corpId: string, routing: ContactRouting, cond: Condition, stepTimes: Record<string, Date>, enteredAt: Date): Promise<boolean>;
  /** A tag or untag step: names resolve in the corp's library (missing ones are created). */
  changeTags(corpId: string, contactId: string, mode: 'tag' | 'untag', names: readonly string[], at: Date): Promise<void>;
  /** The arms a new assignment draws from, and who falls in the holdout. */
  experiment<V extends Variant>(corpId: string, experimentId: string, variants: readonly V[]): Promise<{ variants: V[]; holdout(contactId: string, at: Date): boolean }>;
  saveHoldouts(corpId: string, experimentId: string, units: readonly Holdout[]): Promise<void>;
};

export type RunFactsDeps = ConditionDeps & { tags: SopTags; contacts: Pick<SopContacts, 'changeTags'>; experiments: SopExperiments };

export function runFactsOf(deps: RunFactsDeps): RunFacts {
  return {
    exitReason: (corpId, routing, exitOn, enteredAt, subject) => exitReason(deps, corpId, routing, exitOn, enteredAt, subject),
    holds: (corpId, routing, cond, stepTimes, enteredAt) => evaluateCondition(deps, corpId, routing, cond, stepTimes, enteredAt),
    async changeTags(corpId, contactId, mode, names, at) {
      const ids = await tagIdsForNames(deps, corpId, names);
      await deps.contacts.changeTags({ corpId, storeIds: null }, contactId, mode === 'tag' ? ids : [], mode === 'untag' ? ids : [], at);
    },
    experiment: (corpId, experimentId, variants) => deps.experiments.stepExperiment(corpId, experimentId, variants),
    saveHoldouts: (corpId, experimentId, units) => deps.experiments.saveHoldouts(corpId, experimentId, units),
  };
}
