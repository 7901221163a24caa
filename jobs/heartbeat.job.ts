import type { JobHandler } from './scheduler.ts';

/** Records that this scheduler process is alive; operators read it from the heartbeats collection. */
export const heartbeatHandler: JobHandler<'heartbeat'> = async (_payload, ctx) => {
  await ctx.db.models.Heartbeat.updateOne(
    { processId: ctx.processId },
    { $set: { roles: ctx.roles, host: ctx.processId.split(':')[0] ?? 'unknown', beatAt: ctx.clock.now() } },
    { upsert: true },
  );
};
