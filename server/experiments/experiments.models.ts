/** The experiments domain's collections: experiments, holdout (and greeting/welcome) assignments, short links. */
import type { Connection } from 'mongoose';
import { experimentAssignmentSchema, experimentSchema } from './experiment.schema.ts';
import { shortLinkSchema } from './short-link.schema.ts';

export function registerExperimentsModels(conn: Connection) {
  return {
    Experiment: conn.model('Experiment', experimentSchema),
    ExperimentAssignment: conn.model('ExperimentAssignment', experimentAssignmentSchema),
    ShortLink: conn.model('ShortLink', shortLinkSchema),
  };
}

export type ExperimentsModels = ReturnType<typeof registerExperimentsModels>;
