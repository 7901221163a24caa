/**
 * The scheduler role: one agenda instance per process over the shared MongoDB; agenda's locks let several
 * scheduler processes share the work. Handlers come from the catalog; failures are counted and retried per
 * the catalog's policy.
 */
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Database } from '../server/db/database.ts';
import type { Clock } from '../server/shared/clock.ts';
import type { Metrics } from '../server/system/metrics.ts';
import { jobCatalog, type JobName, type JobPayload } from './catalog.ts';
import { heartbeatHandler } from './heartbeat.job.ts';

export type JobContext = { db: Database; clock: Clock; logger: Logger; processId: string; roles: string[] };
export type JobHandler<N extends JobName> = (payload: JobPayload<N>, ctx: JobContext) => Promise<void>;

const handlers: { [N in JobName]: JobHandler<N> } = {
  heartbeat: heartbeatHandler,
};

export type Scheduler = {
  agenda: Agenda;
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, when?: Date): Promise<void>;
  stop(): Promise<void>;
};

export async function startScheduler(deps: { db: Database; clock: Clock; logger: Logger; metrics: Metrics; roles: string[]; processEveryMs?: number }): Promise<Scheduler> {
  const processId = `${os.hostname()}:${process.pid}`;
  const ctx: JobContext = { db: deps.db, clock: deps.clock, logger: deps.logger.child({ component: 'scheduler' }), processId, roles: deps.roles };
  const mongo = deps.db.connection.db;
  if (!mongo) throw new Error('database is not connected');
  const agenda = new Agenda({
    name: processId,
    // agenda's MongoDB types come from its own driver copy; the objects are the same at run time.
    backend: new MongoBackend({ mongo: mongo as never, collection: 'agenda_jobs' }),
    processEvery: deps.processEveryMs ?? 1000,
    maxConcurrency: 20,
  });
  for (const key of Object.keys(jobCatalog) as JobName[]) {
    const spec = jobCatalog[key];
    agenda.define(spec.name, async (job: Job) => {
      const parsed = spec.payload.safeParse(job.attrs.data ?? {});
      if (!parsed.success) {
        deps.metrics.jobs.inc({ job: spec.name, outcome: 'invalid_payload' });
        throw new Error(`invalid payload for ${spec.name}: ${parsed.error.message}`);
      }
      try {
        await (handlers[key] as JobHandler<typeof key>)(parsed.data, ctx);
        deps.metrics.jobs.inc({ job: spec.name, outcome: 'ok' });
      } catch (err) {
        deps.metrics.jobs.inc({ job: spec.name, outcome: 'failed' });
        const failures = (job.attrs.failCount ?? 0) + 1;
        if (failures < spec.retry.attempts) {
          job.schedule(new Date(deps.clock.now().getTime() + spec.retry.backoffMs));
          await job.save();
        }
        throw err;
      }
    }, { lockLifetime: spec.lockLifetimeMs });
  }
  await agenda.start();
  await agenda.every('30 seconds', jobCatalog.heartbeat.name, {}, { skipImmediate: true });
  return {
    agenda,
    async enqueue(name, payload, when) {
      const spec = jobCatalog[name];
      const data = spec.payload.parse(payload);
      if (when) await agenda.schedule(when, spec.name, data);
      else await agenda.now(spec.name, data);
    },
    async stop() {
      await agenda.drain(10_000).catch(() => undefined);
      await agenda.stop();
    },
  };
}
