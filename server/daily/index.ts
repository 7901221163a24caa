/**
 * The daily face: once-a-day work per store (task digests to staff, SOP rollups) claimed in the store's own
 * zone, and the rollups the execution reports read. The only file of server/daily/ that other domains import.
 */
export { createDailyModule, type DailyDeps, type DailyModule } from './daily.module.ts';
export type { DailyWorkItem } from './store-daily-work.ts';
export type { RollupRow } from './daily.repository.ts';
export type { DigestOutcome } from './task-digest.ts';
export type { DailyWork } from './daily-run.schema.ts';
export type { DailyModels } from './daily.models.ts';
export { registerDailyModels } from './daily.models.ts';
