/**
 * The experiments face: the only file of server/experiments/ other domains import. The module (experiment rows,
 * results, auto-winner), what the SOP runtime and live codes call when they assign contacts, the outcome
 * attribution campaigns reuse for their funnel, the statistics the CLI prints, and the route factories.
 */
export { createExperimentsModule, type ExperimentsDeps, type ExperimentsModule } from './experiments.module.ts';
export { registerExperimentsModels, type ExperimentsModels } from './experiments.models.ts';
export { HOLDOUT } from './experiment.schema.ts';
export { ExperimentService, type ExperimentDto, type ExperimentPatch, type StepExperiment } from './experiment.service.ts';
export type { AssignedUnit, AssignmentRow } from './experiment-assignment.repository.ts';
export { attribute, type AttributedUnit, type ExposureUnit, type OutcomeEvent } from './outcomes.ts';
export type { ExperimentResults } from './results.ts';
export { analyze, type Analysis } from './stats/analyze.ts';
export type { Verdict } from './stats/decision.ts';
export { sampleSizePerArm, sampleSizeProblems, targetRate, type SampleSizeInput } from './stats/sample-size.ts';
export { armProblems, type NamedArm } from './stats/validate.ts';
export { experimentRoutes } from './experiment.route.ts';
export { conversionRoutes } from './conversion.route.ts';
export { shortLinkRoutes } from './short-link.route.ts';
