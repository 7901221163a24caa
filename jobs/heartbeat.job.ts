import type { Models } from '../server/db/models.ts';
import type { Clock } from '../server/shared/clock.ts';
import type { JobHandler } from './catalog.ts';

export type HeartbeatDeps = { models: Pick<Models, 'Heartbeat'>; clock: Clock; processId: string; roles: string[] };

/** Records that this scheduler process is alive; operators read it from the heartbeats collection. */
export const heartbeatHandler: JobHandler<'heartbeat', HeartbeatDeps> = async (_payload, deps) => {
  await deps.models.Heartbeat.updateOne(
    { processId: deps.processId },
    { $set: { roles: deps.roles, host: deps.processId.split(':')[0] ?? 'unknown', beatAt: deps.clock.now() } },
    { upsert: true },
  );
};
