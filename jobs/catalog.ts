/**
 * Every job is declared once: name, zod payload schema, retry policy, lock lifetime and, for repeating jobs, the
 * interval. `enqueue` validates before saving and the scheduler re-validates on dequeue, so a payload written by
 * an older release fails loudly, not oddly. Handlers (`*.job.ts`) are typed from this catalog and declare the
 * narrow dependencies they need; jobs/job-wiring.ts gives them those. This file imports nothing from server/.
 */
import { z } from 'zod';

export type JobSpec<S extends z.ZodType> = {
  name: string;
  payload: S;
  /** Attempts in total (1 = no retry) and the delay before each retry. */
  retry: { attempts: number; backoffMs: number };
  /** How long a lock lasts before another process may take the job over (a dead worker's job is not lost). */
  lockLifetimeMs: number;
  /** Repeating jobs: agenda runs them at this interval (agenda's human interval); others are enqueued on demand. */
  every?: string;
  /** The zone a cron `every` is read in (agenda's `timezone`); the process's own zone otherwise. */
  timezone?: string;
};

const LOCAL_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a store-local date YYYY-MM-DD');

export const jobCatalog = {
  heartbeat: {
    name: 'system.heartbeat',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 60_000,
    every: '30 seconds',
  },
  /** The 09:00 "today's tasks" cards of one store (server/daily/task-digest.ts). */
  taskDigest: {
    name: 'store.task-digest',
    payload: z.strictObject({ corpId: z.string().min(1), storeId: z.string().min(1), localDate: LOCAL_DATE }),
    retry: { attempts: 5, backoffMs: 120_000 },
    lockLifetimeMs: 10 * 60_000,
  },
  /** The nightly execution rollup of one store-local day (server/daily/sop-rollup.ts). */
  sopRollup: {
    name: 'sop.daily-rollup',
    payload: z.strictObject({ corpId: z.string().min(1), storeId: z.string().min(1), localDate: LOCAL_DATE }),
    retry: { attempts: 3, backoffMs: 300_000 },
    lockLifetimeMs: 10 * 60_000,
  },
  /**
   * The nightly 微信客服 numbers (server/kf/numbers/kf-numbers.ts): each corp's last three local days per kf account
   * and servicer, replacing what an earlier run wrote. An empty payload runs every corp with recent sessions; a corp
   * and a day recompute that one day.
   */
  kfRollup: {
    name: 'kf.daily-rollup',
    payload: z.strictObject({ corpId: z.string().min(1).optional(), localDate: LOCAL_DATE.optional() }),
    retry: { attempts: 3, backoffMs: 300_000 },
    lockLifetimeMs: 30 * 60_000,
    every: '20 0 * * *',
    timezone: 'Asia/Shanghai',
  },
  /** Evaluates every running experiment with auto-winner on (ExperimentService.sweepAutoWinners). */
  autoWinnerSweep: {
    name: 'experiments.auto-winner-sweep',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 10 * 60_000,
    every: '10 minutes',
  },
  /** Expires live codes and re-applies duty hours, daily add limits and fallbacks (LiveCodeService.refreshAll). */
  liveCodeRefresh: {
    name: 'live-codes.refresh',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 10 * 60_000,
    every: '5 minutes',
  },
  /** Asks WeCom how running customer handovers went and moves what was taken over (HandoverService.pollDue). */
  handoverPoll: {
    name: 'handover.poll',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 30 * 60_000,
    every: '15 minutes',
  },
  /** Add-friend campaigns: recycle, assign today's leads, paced RPA friend requests and their acceptances. */
  campaignTick: {
    name: 'campaigns.tick',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 10 * 60_000,
    every: '1 minute',
  },
  /** Fetches and applies vendor details owed by events applied during an API outage (server/channels/detail-sweep.ts). */
  detailSweep: {
    name: 'inbound.detail-sweep',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 10 * 60_000,
    every: '1 minute',
  },
  /** Puts inbox rows that failed for a transient cause (vendor or database outage) back to pending (InboundInbox.reviveFailed). */
  inboxRevive: {
    name: 'inbound.revive-failed',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 5 * 60_000,
    every: '5 minutes',
  },
  /** Settles A/B tested knowledge answers whose 微信客服 session ended, fell silent or went to a person (kf.settleAnswerTests). */
  kfAnswerTestSweep: {
    name: 'kf.answer-test-sweep',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 10 * 60_000,
    every: '5 minutes',
  },
  /**
   * Ends 微信客服 sessions only the bot held, or left in the pool, once silent for the corp's idle limits (kf.endIdleSessions).
   * Every 5 minutes, the shortest limit a corp can set; a second scheduler skips the sessions this one claimed.
   */
  kfIdleEnd: {
    name: 'kf.idle-end',
    payload: z.strictObject({}),
    retry: { attempts: 1, backoffMs: 0 },
    lockLifetimeMs: 10 * 60_000,
    every: '5 minutes',
  },
} satisfies Record<string, JobSpec<z.ZodType>>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['payload']>;
/** A job's handler: its payload, validated against the catalog, and the dependencies the handler declares. */
export type JobHandler<N extends JobName, Deps> = (payload: JobPayload<N>, deps: Deps) => Promise<void>;
/** Every catalog job bound to its dependencies: what the scheduler calls with a dequeued, re-validated payload. */
export type JobRunners = { [N in JobName]: (payload: JobPayload<N>) => Promise<void> };
