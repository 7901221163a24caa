/** Registers every schema on one connection; the returned models are what repositories are built from. */
import type { Connection } from 'mongoose';
import { registerAuthModels } from '../auth/index.ts';
import { enrollmentSchema } from '../sop/ledger/enrollment.schema.ts';
import { sopRecordSchema, sopVersionSchema } from '../sop/ledger/sop-record.schema.ts';
import { touchSchema } from '../sop/ledger/touch.schema.ts';
import { triggerFeedSchema } from '../sop/ledger/trigger-feed.schema.ts';
import { scheduleFireSchema } from '../sop/ledger/schedule-fire.schema.ts';
import { staffTaskSchema } from '../tasks/staff-task.schema.ts';
import { registerChannelsModels } from '../channels/index.ts';
import { registerContactsModels } from '../contacts/index.ts';
import { registerContentModels } from '../content/index.ts';
import { registerEventsModels } from '../events/index.ts';
import { registerExperimentsModels } from '../experiments/index.ts';
import { registerHandoverModels } from '../handover/index.ts';
import { registerSidebarModels } from '../sidebar/index.ts';
import { registerGroupsModels } from '../groups/index.ts';
import { registerLiveCodesModels } from '../live-codes/index.ts';
import { registerOrgModels } from '../org/index.ts';
import { registerSystemModels } from '../system/heartbeat.repository.ts';
import { dailyRunSchema } from '../daily/daily-run.schema.ts';
import { sopRollupSchema } from '../daily/sop-rollup.schema.ts';
import { taskDigestSchema } from '../daily/task-digest.schema.ts';
import { registerCampaignsModels } from '../campaigns/index.ts';
import { registerTagsModels } from '../tags/index.ts';
import { registerKfModels } from '../kf/index.ts';

export function registerModels(conn: Connection) {
  return {
    ...registerOrgModels(conn),
    ...registerTagsModels(conn),
    ...registerContactsModels(conn),
    ...registerGroupsModels(conn),
    ...registerEventsModels(conn),
    ...registerAuthModels(conn),
    ...registerSystemModels(conn),
    DailyRun: conn.model('DailyRun', dailyRunSchema),
    TaskDigest: conn.model('TaskDigest', taskDigestSchema),
    SopRollup: conn.model('SopRollup', sopRollupSchema),
    Sop: conn.model('Sop', sopRecordSchema),
    SopVersion: conn.model('SopVersion', sopVersionSchema),
    Enrollment: conn.model('Enrollment', enrollmentSchema),
    Touch: conn.model('Touch', touchSchema),
    SopTriggerFeed: conn.model('SopTriggerFeed', triggerFeedSchema),
    SopScheduleFire: conn.model('SopScheduleFire', scheduleFireSchema),
    StaffTask: conn.model('StaffTask', staffTaskSchema),
    ...registerChannelsModels(conn),
    ...registerContentModels(conn),
    ...registerExperimentsModels(conn),
    ...registerSidebarModels(conn),
    ...registerHandoverModels(conn),
    ...registerLiveCodesModels(conn),
    ...registerCampaignsModels(conn),
    ...registerKfModels(conn),
  };
}

export type Models = ReturnType<typeof registerModels>;
