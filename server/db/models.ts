/** Registers every schema on one connection; the returned models are what repositories are built from. */
import type { Connection } from 'mongoose';
import { staffLoginLinkSchema } from '../auth/staff-login-link.schema.ts';
import { tokenSchema } from '../auth/token.schema.ts';
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
import { contentSettingsSchema } from '../content/content-settings.schema.ts';
import { contentTemplateSchema } from '../content/content-template.schema.ts';
import { contentVersionSchema } from '../content/content-version.schema.ts';
import { followSchema } from '../contacts/follow.schema.ts';
import { eventSchema } from '../events/event.schema.ts';
import { registerExperimentsModels } from '../experiments/experiments.models.ts';
import { handoverItemSchema, handoverSchema } from '../handover/handover.schema.ts';
import { contactNoteSchema } from '../sidebar/contact-note.schema.ts';
import { customerGroupSchema } from '../groups/customer-group.schema.ts';
import { liveCodeAddSchema, liveCodeSchema, liveCodeWelcomeSchema } from '../live-codes/live-code.schema.ts';
import { corpSchema } from '../org/corp.schema.ts';
import { staffSchema } from '../org/staff.schema.ts';
import { storeSchema } from '../org/store.schema.ts';
import { heartbeatSchema } from '../system/heartbeat.schema.ts';
import { dailyRunSchema } from '../daily/daily-run.schema.ts';
import { sopRollupSchema } from '../daily/sop-rollup.schema.ts';
import { taskDigestSchema } from '../daily/task-digest.schema.ts';
import { registerCampaignsModels } from '../campaigns/campaigns.models.ts';
import { tagGroupSchema, tagSchema } from '../tags/tag.schema.ts';

export function registerModels(conn: Connection) {
  return {
    Corp: conn.model('Corp', corpSchema),
    Store: conn.model('Store', storeSchema),
    Staff: conn.model('Staff', staffSchema),
    TagGroup: conn.model('TagGroup', tagGroupSchema),
    Tag: conn.model('Tag', tagSchema),
    Contact: conn.model('Contact', contactSchema),
    Follow: conn.model('Follow', followSchema),
    CustomerGroup: conn.model('CustomerGroup', customerGroupSchema),
    Event: conn.model('Event', eventSchema),
    Token: conn.model('Token', tokenSchema),
    StaffLoginLink: conn.model('StaffLoginLink', staffLoginLinkSchema),
    Heartbeat: conn.model('Heartbeat', heartbeatSchema),
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
    ContentTemplate: conn.model('ContentTemplate', contentTemplateSchema),
    ContentVersion: conn.model('ContentVersion', contentVersionSchema),
    ContentSettings: conn.model('ContentSettings', contentSettingsSchema),
    ...registerExperimentsModels(conn),
    ContactNote: conn.model('ContactNote', contactNoteSchema),
    Handover: conn.model('Handover', handoverSchema),
    HandoverItem: conn.model('HandoverItem', handoverItemSchema),
    LiveCode: conn.model('LiveCode', liveCodeSchema),
    LiveCodeWelcome: conn.model('LiveCodeWelcome', liveCodeWelcomeSchema),
    LiveCodeAdd: conn.model('LiveCodeAdd', liveCodeAddSchema),
    ...registerCampaignsModels(conn),
  };
}

export type Models = ReturnType<typeof registerModels>;
