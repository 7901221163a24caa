import { Schema, type InferSchemaType } from 'mongoose';

export const TASK_KINDS = ['mass_send_confirm', 'one_to_one', 'moments', 'group_send', 'call', 'visit', 'custom', 'add_friend'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/**
 * A staff member's to-do on the phone (/m). `key` makes task creation idempotent (an SOP step's task is created
 * once per run); `localDate` is the store-local day the task belongs to; `contactIds` lists who it is about.
 */
export const staffTaskSchema = new Schema(
  {
    corpId: { type: String, required: true },
    key: { type: String, required: true },
    storeId: { type: String, required: true },
    staffId: { type: String, required: true },
    kind: { type: String, enum: TASK_KINDS, required: true },
    title: { type: String, required: true },
    text: { type: String, default: '' },
    /** What the staff member posts with the text (moments, group sends): images, links, mini programs, videos by URL. */
    media: { type: [Schema.Types.Mixed], default: [] },
    contactIds: { type: [String], default: [] },
    source: { sopId: { type: String, default: null }, stepId: { type: String, default: null }, touchId: { type: String, default: null }, vendorId: { type: String, default: null } },
    localDate: { type: String, required: true },
    dueAt: { type: Date, required: true },
    status: { type: String, enum: ['open', 'done', 'skipped'], required: true, default: 'open' },
    skipReason: { type: String, default: null },
    doneAt: { type: Date, default: null },
  },
  { collection: 'staff_tasks', timestamps: true, strict: 'throw', minimize: false },
);
// Idempotent creation from SOP steps and campaigns.
staffTaskSchema.index({ corpId: 1, key: 1 }, { unique: true });
// Today's list for one staff member.
staffTaskSchema.index({ corpId: 1, staffId: 1, localDate: 1 });
// Completion reports by store and day.
staffTaskSchema.index({ corpId: 1, storeId: 1, localDate: 1 });

export type StaffTaskDoc = InferSchemaType<typeof staffTaskSchema>;
// A customer's tasks, newest first (the customer detail's activity).
staffTaskSchema.index({ corpId: 1, contactIds: 1, dueAt: -1 });
