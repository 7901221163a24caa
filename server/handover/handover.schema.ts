import { Schema, type InferSchemaType } from 'mongoose';

export const HANDOVER_KINDS = ['on_job', 'resigned'] as const;
export type HandoverKind = (typeof HANDOVER_KINDS)[number];

/**
 * Why a customer did not move: `customer_refused` (在职继承 refused in WeCom), `customer_limit_exceed` (the
 * takeover member is full), `transfer_limit_90d` (moved twice in 90 days; 40128), `no_record` (WeCom knows no
 * such transfer), `vendor_error` (another errcode, kept), `not_supported` (the account cannot transfer).
 */
export const HANDOVER_FAILURES = ['customer_refused', 'customer_limit_exceed', 'transfer_limit_90d', 'no_record', 'vendor_error', 'not_supported'] as const;
export type HandoverFailure = (typeof HANDOVER_FAILURES)[number];

/**
 * A handover job (客户继承): one staff member's customers (and optionally the groups they own) moved to others.
 * Customers are `handover_items`; groups, few per member, are kept here. `nextPollAt` says when to ask WeCom
 * for the results of transfers still waiting.
 */
export const handoverSchema = new Schema(
  {
    corpId: { type: String, required: true },
    kind: { type: String, enum: HANDOVER_KINDS, required: true },
    fromStaffId: { type: String, required: true },
    fromUserId: { type: String, required: true },
    /** The from member's store: store managers see the handovers of their store. */
    storeId: { type: String, required: true },
    includeGroups: { type: Boolean, required: true, default: false },
    message: { type: String, default: null },
    status: { type: String, enum: ['running', 'done'], required: true, default: 'running' },
    createdBy: { type: String, required: true },
    nextPollAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    groups: {
      type: [
        {
          _id: false,
          chatId: { type: String, required: true },
          name: { type: String, default: '' },
          toUserId: { type: String, required: true },
          status: { type: String, enum: ['moved', 'failed'], required: true },
          errcode: { type: Number, default: null },
          reason: { type: String, default: null },
        },
      ],
      default: [],
    },
  },
  { collection: 'handovers', timestamps: true, strict: 'throw', minimize: false },
);
// pollDue: running jobs of a corp whose results are due.
handoverSchema.index({ corpId: 1, status: 1, nextPollAt: 1 });
// Lists of a store's (or the corp's) handovers, newest first.
handoverSchema.index({ corpId: 1, storeId: 1, _id: -1 });

/**
 * One customer of a handover. `waiting` after WeCom accepted the transfer (it takes effect after 24 h), `moving`
 * while our own records follow it (claimed, so one process moves it), then `moved` or `failed` with the reason.
 */
export const handoverItemSchema = new Schema(
  {
    corpId: { type: String, required: true },
    handoverId: { type: String, required: true },
    kind: { type: String, enum: HANDOVER_KINDS, required: true },
    contactId: { type: String, required: true },
    externalUserId: { type: String, required: true },
    contactName: { type: String, default: '' },
    fromStaffId: { type: String, required: true },
    fromUserId: { type: String, required: true },
    toStaffId: { type: String, required: true },
    toUserId: { type: String, required: true },
    status: { type: String, enum: ['waiting', 'moving', 'moved', 'failed'], required: true },
    reason: { type: String, enum: [...HANDOVER_FAILURES, null], default: null },
    errcode: { type: Number, default: null },
    requestedAt: { type: Date, required: true },
    takeoverAt: { type: Date, default: null },
    settledAt: { type: Date, default: null },
    /** What moved with the customer: counts per record kind, and per participant a count or an error. */
    moved: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'handover_items', timestamps: true, strict: 'throw', minimize: false },
);
// The report of one handover and the poll of its waiting customers.
handoverItemSchema.index({ corpId: 1, handoverId: 1, status: 1 });
// transfer_fail callbacks name the customer and the takeover member.
handoverItemSchema.index({ corpId: 1, externalUserId: 1, toUserId: 1, status: 1 });
// The local 90-day check: a contact's recent transfers.
handoverItemSchema.index({ corpId: 1, contactId: 1, requestedAt: -1 });

export type HandoverDoc = InferSchemaType<typeof handoverSchema>;
export type HandoverItemDoc = InferSchemaType<typeof handoverItemSchema>;
