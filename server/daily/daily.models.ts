/** The daily domain's collections: claims of daily work, digest cards and SOP rollups. */
import type { Connection } from 'mongoose';
import { dailyRunSchema } from './daily-run.schema.ts';
import { sopRollupSchema } from './sop-rollup.schema.ts';
import { taskDigestSchema } from './task-digest.schema.ts';

export function registerDailyModels(conn: Connection) {
  return {
    DailyRun: conn.model('DailyRun', dailyRunSchema),
    TaskDigest: conn.model('TaskDigest', taskDigestSchema),
    SopRollup: conn.model('SopRollup', sopRollupSchema),
  };
}

export type DailyModels = ReturnType<typeof registerDailyModels>;
