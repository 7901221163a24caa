/** The SOP ledger's collections, registered on the app's connection (server/db/models.ts spreads them in). */
import type { Connection } from 'mongoose';
import { enrollmentSchema } from './enrollment.schema.ts';
import { scheduleFireSchema } from './schedule-fire.schema.ts';
import { sopRecordSchema, sopVersionSchema } from './sop-record.schema.ts';
import { touchSchema } from './touch.schema.ts';
import { triggerFeedSchema } from './trigger-feed.schema.ts';

export function registerSopModels(conn: Connection) {
  return {
    Sop: conn.model('Sop', sopRecordSchema),
    SopVersion: conn.model('SopVersion', sopVersionSchema),
    Enrollment: conn.model('Enrollment', enrollmentSchema),
    Touch: conn.model('Touch', touchSchema),
    SopTriggerFeed: conn.model('SopTriggerFeed', triggerFeedSchema),
    SopScheduleFire: conn.model('SopScheduleFire', scheduleFireSchema),
  };
}

export type SopModels = ReturnType<typeof registerSopModels>;
