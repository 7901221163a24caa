/**
 * The experiments domain wired from its declared dependencies: the experiment rows, their analysis and the
 * auto-winner. Other domains get this module through server/experiments/index.ts, never the models.
 */
import type { Models } from '../db/models.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { ExperimentService } from './experiment.service.ts';
import type { ExperimentsModels } from './experiments.models.ts';

export type ExperimentsDeps = {
  models: ExperimentsModels & Pick<Models, 'Touch' | 'Event' | 'Contact'>;
  clock: Clock;
  org: Pick<OrgModule, 'storeNames' | 'timezoneOf'>;
};

export type ExperimentsModule = ExperimentService;

export function createExperimentsModule(deps: ExperimentsDeps): ExperimentsModule {
  return new ExperimentService(deps.models, deps.clock, deps.org);
}
