/** Store-local daily work, claimed per store and day by server/daily/store-daily-work.ts. */
import { rollupStoreDay } from '../server/daily/sop-rollup.ts';
import { sendTaskDigests } from '../server/daily/task-digest.ts';
import type { JobHandler } from './scheduler.ts';

/** One store's 09:00 cards; throws when a transient vendor error left cards pending, so agenda retries them. */
export const taskDigestHandler: JobHandler<'taskDigest'> = async (day, ctx) => {
  const outcome = await sendTaskDigests(ctx.services, day, ctx.staffPageUrl);
  ctx.logger.info({ ...day, ...outcome }, 'task digest');
  if (outcome.retry) throw new Error(`task digest: ${outcome.failed} card(s) left pending after a transient vendor error`);
};

export const sopRollupHandler: JobHandler<'sopRollup'> = async (day, ctx) => {
  await rollupStoreDay(ctx.services, day);
};
