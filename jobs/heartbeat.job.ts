import type { Clock } from '../server/shared/clock.ts';
import type { Heartbeats } from '../server/system/heartbeat.repository.ts';
import type { JobHandler } from './catalog.ts';

export type HeartbeatDeps = { heartbeats: Heartbeats; clock: Clock; processId: string; roles: string[] };

/** Records that this scheduler process is alive; operators read it from the heartbeats collection. */
export const heartbeatHandler: JobHandler<'heartbeat', HeartbeatDeps> = async (_payload, deps) => {
  await deps.heartbeats.beat(deps.processId, deps.roles, deps.clock.now());
};
