/**
 * The daily face: once-a-day work per store (task digests to staff, SOP rollups) claimed in the store's own
 * zone, and the rollups the execution reports read. The only file of server/daily/ that other domains import.
 */
export { claimDailyWork, dueDailyWork, type DailyWorkItem } from './store-daily-work.ts';
export { rollupStoreDay, readRollups, type RollupRow } from './sop-rollup.ts';
export { sendTaskDigests, type DigestOutcome } from './task-digest.ts';
export { DAILY_WORK, type DailyWork } from './daily-run.schema.ts';
export { registerDailyModels, type DailyModels } from './daily.models.ts';
