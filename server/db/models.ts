/** Registers every schema on one connection; the returned models are what repositories are built from. */
import type { Connection } from 'mongoose';
import { staffLoginLinkSchema } from '../auth/staff-login-link.schema.ts';
import { tokenSchema } from '../auth/token.schema.ts';
import { registerSopModels } from '../sop/ledger/sop.models.ts';
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
import { experimentAssignmentSchema, experimentSchema } from '../experiments/experiment.schema.ts';
import { shortLinkSchema } from '../experiments/short-link.schema.ts';
import { handoverItemSchema, handoverSchema } from '../handover/handover.schema.ts';
import { contactNoteSchema } from '../sidebar/contact-note.schema.ts';
import { customerGroupSchema } from '../groups/customer-group.schema.ts';
import { liveCodeAddSchema, liveCodeSchema, liveCodeWelcomeSchema } from '../live-codes/live-code.schema.ts';
import { corpSchema } from '../org/corp.schema.ts';
import { staffSchema } from '../org/staff.schema.ts';
import { storeSchema } from '../org/store.schema.ts';
import { heartbeatSchema } from '../system/heartbeat.schema.ts';
import { registerDailyModels } from '../daily/daily.models.ts';
import { campaignContactWaySchema, campaignSchema } from '../campaigns/campaign.schema.ts';
import { leadSchema } from '../campaigns/lead.schema.ts';
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
    ...registerDailyModels(conn),
    ...registerSopModels(conn),
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
