/**
 * Every job is declared once: name, zod payload schema, retry policy. `enqueue` validates before saving and
 * the scheduler re-validates on dequeue, so a payload written by an older release fails loudly, not oddly.
 */
import { z } from 'zod';

export type JobSpec<S extends z.ZodType> = {
  name: string;
  payload: S;
  /** Attempts in total (1 = no retry) and the delay before each retry. */
  retry: { attempts: number; backoffMs: number };
  /** How long a lock lasts before another process may take the job over (a dead worker's job is not lost). */
  lockLifetimeMs: number;
};

export const jobCatalog = {
  heartbeat: {
    name: 'system.heartbeat',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 60_000,
  },
} satisfies Record<string, JobSpec<z.ZodType>>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['payload']>;
