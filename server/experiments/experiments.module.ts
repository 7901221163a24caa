/**
 * The experiments domain wired from its declared dependencies: the experiment rows, their analysis and the
 * auto-winner. Other domains get this module through server/experiments/index.ts, never the models.
 */
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { ExperimentService, type OutcomeSources } from './experiment.service.ts';
import type { ExperimentsModels } from './experiments.models.ts';

export type ExperimentsDeps = {
  models: ExperimentsModels;
  /** The ledger's touches of an experiment (its units), the event log and contacts' opt-outs (its outcomes). */
  touches: OutcomeSources['touches'];
  events: OutcomeSources['events'];
  contacts: OutcomeSources['contacts'];
  clock: Clock;
  org: Pick<OrgModule, 'storeNames' | 'timezoneOf'>;
};

export type ExperimentsModule = ExperimentService;

export function createExperimentsModule(deps: ExperimentsDeps): ExperimentsModule {
  return new ExperimentService(deps.models, { touches: deps.touches, events: deps.events, contacts: deps.contacts }, deps.clock, deps.org);
}
