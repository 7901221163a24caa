/** Scheduler processes' heartbeats: one row per process, upserted by the heartbeat job; operators read them. */
import type { Connection } from 'mongoose';
import { heartbeatSchema } from './heartbeat.schema.ts';

export function registerSystemModels(conn: Connection) {
  return { Heartbeat: conn.model('Heartbeat', heartbeatSchema) };
}

export type SystemModels = ReturnType<typeof registerSystemModels>;

export type Heartbeats = { beat(processId: string, roles: string[], at: Date): Promise<void> };

export function createHeartbeats(models: SystemModels): Heartbeats {
  return {
    async beat(processId, roles, at) {
      await models.Heartbeat.updateOne({ processId }, { $set: { roles, host: processId.split(':')[0] ?? 'unknown', beatAt: at } }, { upsert: true });
    },
  };
}
