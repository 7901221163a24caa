/** Store-local daily work, claimed per store and day by server/daily/store-daily-work.ts. */
import type { Logger } from 'pino';
import type { JobHandler, JobPayload } from './catalog.ts';

type StoreDay = JobPayload<'taskDigest'>;

export type TaskDigestDeps = {
  /** Sends the day's cards; `retry` when a transient vendor error left some pending. */
  sendTaskDigests: (day: StoreDay) => Promise<{ failed: number; retry?: boolean }>;
  logger: Logger;
};

/** One store's 09:00 cards; throws when a transient vendor error left cards pending, so agenda retries them. */
export const taskDigestHandler: JobHandler<'taskDigest', TaskDigestDeps> = async (day, deps) => {
  const outcome = await deps.sendTaskDigests(day);
  deps.logger.info({ ...day, ...outcome }, 'task digest');
  if (outcome.retry) throw new Error(`task digest: ${outcome.failed} card(s) left pending after a transient vendor error`);
};

export type SopRollupDeps = { rollupStoreDay: (day: JobPayload<'sopRollup'>) => Promise<unknown> };

export const sopRollupHandler: JobHandler<'sopRollup', SopRollupDeps> = async (day, deps) => {
  await deps.rollupStoreDay(day);
};
