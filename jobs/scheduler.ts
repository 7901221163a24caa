/**
 * The scheduler role: one agenda instance per process over the shared MongoDB; agenda's locks let several
 * scheduler processes share the work. Jobs, their intervals and retry policies come from the catalog, each
 * handler with its dependencies from jobs/job-wiring.ts; failures are counted and retried per the catalog.
 */
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Database } from '../server/db/database.ts';
import type { Models, Modules } from '../server/modules.ts';
import type { Metrics } from '../server/system/metrics.ts';
import { processLeaseOwner } from '../server/shared/process-lease.ts';
import { jobCatalog, type JobName, type JobPayload, type JobSpec } from './catalog.ts';
import { wireJobs } from './job-wiring.ts';
import cron, { type ScheduledTask } from 'node-cron';

export type Scheduler = {
  agenda: Agenda;
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, when?: Date): Promise<void>;
  /** One pass of the store-local daily work (node-cron runs it every minute); returns how many items it claimed. */
  dailyTick(): Promise<number>;
  /** Takes no new job; running ones get `timeoutMs` to finish, then their locks are released. */
  stop(timeoutMs?: number): Promise<void>;
};

export type SchedulerDeps = {
  services: Modules;
  /** Agenda keeps its jobs in this database (the modules never hand their connection out). */
  db: Database<Models>;
  logger: Logger;
  roles: string[];
  /** Where staff open their task list (the 09:00 cards link there). */
  staffPageUrl: string;
  /** Defaults to the services' metrics; tests pass one per simulated process. */
  metrics?: Metrics;
  processEveryMs?: number;
  /** Store-local daily work (digests, rollups) on a node-cron minute tick; tests drive `dailyTick` themselves. */
  dailyWork?: boolean;
};

export async function startScheduler(input: SchedulerDeps): Promise<Scheduler> {
  const deps = { ...input, clock: input.services.clock, metrics: input.metrics ?? input.services.metrics };
  const processId = processLeaseOwner();
  const logger = deps.logger.child({ component: 'scheduler' });
  const run = wireJobs(deps.services, { processId, roles: deps.roles, logger, staffPageUrl: deps.staffPageUrl });
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
    const spec: JobSpec<z.ZodType> = jobCatalog[key];
    agenda.define(spec.name, async (job: Job) => {
      const parsed = spec.payload.safeParse(job.attrs.data ?? {});
      if (!parsed.success) {
        deps.metrics.jobs.inc({ job: spec.name, outcome: 'invalid_payload' });
        throw new Error(`invalid payload for ${spec.name}: ${parsed.error.message}`);
      }
      try {
        await (run[key] as (payload: unknown) => Promise<void>)(parsed.data);
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
  for (const spec of Object.values(jobCatalog) as Array<JobSpec<z.ZodType>>) {
    if (spec.every) await agenda.every(spec.every, spec.name, {}, { skipImmediate: true, ...(spec.timezone ? { timezone: spec.timezone } : {}) });
  }
  const enqueue: Scheduler['enqueue'] = async (name, payload, when) => {
    const spec = jobCatalog[name];
    const data = spec.payload.parse(payload);
    if (when) await agenda.schedule(when, spec.name, data);
    else await agenda.now(spec.name, data);
  };
  /** Claims the store-local daily work due now (once across processes) and hands it to agenda. */
  const dailyTick = async (): Promise<number> => {
    const won = await deps.services.daily.claimDue(processId);
    for (const item of won) {
      const { work, ...day } = item;
      await enqueue(work === 'task_digest' ? 'taskDigest' : 'sopRollup', day);
    }
    return won.length;
  };
  let minute: ScheduledTask | null = null;
  if (input.dailyWork !== false) minute = cron.schedule('* * * * *', () => void dailyTick().catch((err) => logger.error({ err }, 'daily work tick failed')));
  return {
    agenda,
    enqueue,
    dailyTick,
    async stop(timeoutMs = 10_000) {
      await minute?.stop();
      await agenda.drain(timeoutMs).catch(() => undefined);
      await agenda.stop();
    },
  };
}
