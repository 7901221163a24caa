/** Registers every schema on one connection; the returned models are what repositories are built from. */
import type { Connection } from 'mongoose';
import { registerAuthModels } from '../auth/index.ts';
import { enrollmentSchema } from '../sop/ledger/enrollment.schema.ts';
import { sopRecordSchema, sopVersionSchema } from '../sop/ledger/sop-record.schema.ts';
import { touchSchema } from '../sop/ledger/touch.schema.ts';
import { triggerFeedSchema } from '../sop/ledger/trigger-feed.schema.ts';
import { scheduleFireSchema } from '../sop/ledger/schedule-fire.schema.ts';
import { staffTaskSchema } from '../tasks/staff-task.schema.ts';
import { channelAccountSchema } from '../channels/channel-account.schema.ts';
import { inboundRawSchema } from '../channels/inbound-raw.schema.ts';
import { callbackReplaySchema } from '../channels/callback-replay.schema.ts';
import { kfCursorSchema } from '../channels/kf-cursor.schema.ts';
import { detailDueSchema } from '../channels/detail-due.schema.ts';
import { syncRunSchema } from '../channels/sync/sync-run.schema.ts';
import { contactSchema } from '../contacts/contact.schema.ts';
import { registerContentModels } from '../content/index.ts';
import { followSchema } from '../contacts/follow.schema.ts';
import { eventSchema } from '../events/event.schema.ts';
import { experimentAssignmentSchema, experimentSchema } from '../experiments/experiment.schema.ts';
import { shortLinkSchema } from '../experiments/short-link.schema.ts';
import { handoverItemSchema, handoverSchema } from '../handover/handover.schema.ts';
import { contactNoteSchema } from '../sidebar/contact-note.schema.ts';
import { customerGroupSchema } from '../groups/customer-group.schema.ts';
import { liveCodeAddSchema, liveCodeSchema, liveCodeWelcomeSchema } from '../live-codes/live-code.schema.ts';
import { registerOrgModels } from '../org/index.ts';
import { registerSystemModels } from '../system/heartbeat.repository.ts';
import { dailyRunSchema } from '../daily/daily-run.schema.ts';
import { sopRollupSchema } from '../daily/sop-rollup.schema.ts';
import { taskDigestSchema } from '../daily/task-digest.schema.ts';
import { campaignContactWaySchema, campaignSchema } from '../campaigns/campaign.schema.ts';
import { leadSchema } from '../campaigns/lead.schema.ts';
import { tagGroupSchema, tagSchema } from '../tags/tag.schema.ts';

export function registerModels(conn: Connection) {
  return {
    ...registerOrgModels(conn),
    TagGroup: conn.model('TagGroup', tagGroupSchema),
    Tag: conn.model('Tag', tagSchema),
    Contact: conn.model('Contact', contactSchema),
    Follow: conn.model('Follow', followSchema),
    CustomerGroup: conn.model('CustomerGroup', customerGroupSchema),
    Event: conn.model('Event', eventSchema),
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
    ChannelAccount: conn.model('ChannelAccount', channelAccountSchema),
    InboundRaw: conn.model('InboundRaw', inboundRawSchema),
    CallbackReplay: conn.model('CallbackReplay', callbackReplaySchema),
    KfCursor: conn.model('KfCursor', kfCursorSchema),
    DetailDue: conn.model('DetailDue', detailDueSchema),
    SyncRun: conn.model('SyncRun', syncRunSchema),
    ...registerContentModels(conn),
    Experiment: conn.model('Experiment', experimentSchema),
    ExperimentAssignment: conn.model('ExperimentAssignment', experimentAssignmentSchema),
    ShortLink: conn.model('ShortLink', shortLinkSchema),
    ContactNote: conn.model('ContactNote', contactNoteSchema),
    Handover: conn.model('Handover', handoverSchema),
    HandoverItem: conn.model('HandoverItem', handoverItemSchema),
    LiveCode: conn.model('LiveCode', liveCodeSchema),
    LiveCodeWelcome: conn.model('LiveCodeWelcome', liveCodeWelcomeSchema),
    LiveCodeAdd: conn.model('LiveCodeAdd', liveCodeAddSchema),
    Campaign: conn.model('Campaign', campaignSchema),
    CampaignContactWay: conn.model('CampaignContactWay', campaignContactWaySchema),
    Lead: conn.model('Lead', leadSchema),
  };
}

export type Models = ReturnType<typeof registerModels>;
