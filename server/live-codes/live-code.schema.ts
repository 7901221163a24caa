import { Schema, type InferSchemaType } from 'mongoose';

export const LIVE_CODE_CHANNELS = ['poster', 'counter', 'event', 'staff', 'store'] as const;
export const LIVE_CODE_STATUSES = ['active', 'disabled', 'expired'] as const;

const staffRefSchema = new Schema({ staffId: { type: String, required: true }, userId: { type: String, required: true }, storeId: { type: String, required: true } }, { _id: false });

/**
 * A channel live code (渠道活码): one WeCom 「联系我」 contact way (`configId`, `qrCode`) whose `state` brings every
 * add back to this row. The QR never changes: editing the staff or the fallback only moves `activeUserIds` at WeCom.
 * `mode`: `all` lets WeCom spread adds over the eligible staff (type 2); `rotate` shows one member at a time and
 * moves to the next after each add (type 1), which is how store codes pick the store's staff.
 */
export const liveCodeSchema = new Schema(
  {
    corpId: { type: String, required: true },
    accountId: { type: String, required: true },
    name: { type: String, required: true },
    channel: { type: String, enum: LIVE_CODE_CHANNELS, required: true },
    mode: { type: String, enum: ['all', 'rotate'], required: true, default: 'all' },
    /** Store codes: the store whose staff the code rotates through (the staff list follows the store). */
    storeId: { type: String, default: null },
    /** Every store of `staff` and `fallback`, for store-scoped reads. */
    storeIds: { type: [String], default: [] },
    staff: { type: [staffRefSchema], default: [] },
    fallback: { type: [staffRefSchema], default: [] },
    /** Adds per staff member per store-local day on this code; null: no limit. */
    dailyAddLimit: { type: Number, default: null },
    /** Duty hours in the staff member's store time zone, `HH:MM`; outside them the member is off duty. */
    dutyHours: { type: new Schema({ from: String, to: String }, { _id: false }), default: null },
    tagIds: { type: [String], default: [] },
    /**
     * The published content version the welcome sends, pinned when the code is saved (as SOPs pin theirs). With
     * `variants` (A/B), each add draws one deterministically under the experiment `experimentId`.
     */
    welcome: {
      type: new Schema(
        {
          templateId: String,
          version: Number,
          experimentId: { type: String, default: null },
          variants: { type: [new Schema({ id: String, templateId: String, version: Number, weight: Number }, { _id: false })], default: [] },
        },
        { _id: false },
      ),
      default: null,
    },
    /** The staff member's own code: adds to them with no (or an unknown) state fall back to it. */
    staffDefault: { type: Boolean, default: false },
    skipVerify: { type: Boolean, default: true },
    expiresAt: { type: Date, default: null },
    status: { type: String, enum: LIVE_CODE_STATUSES, required: true, default: 'active' },
    state: { type: String, required: true },
    configId: { type: String, required: true },
    qrCode: { type: String, required: true },
    activeUserIds: { type: [String], default: [] },
    /** Adds seen so far; `rotate` codes show staff[rotation % n]. */
    rotation: { type: Number, default: 0 },
    createdBy: { type: String, required: true },
    disabledAt: { type: Date, default: null },
  },
  { collection: 'live_codes', timestamps: true, strict: 'throw' },
);
// The add path: an add's `state` names its code (unique, so two codes can never claim one add).
liveCodeSchema.index({ corpId: 1, state: 1 }, { unique: true });
// The fallback for a rewritten state: the code behind a WeCom config id.
liveCodeSchema.index({ corpId: 1, configId: 1 });
// HQ lists (newest first, by channel / status) and the store-scoped list.
liveCodeSchema.index({ corpId: 1, storeIds: 1, _id: -1 });
// One store code per store, and the location router's lookup.
liveCodeSchema.index({ corpId: 1, channel: 1, storeId: 1 });

/**
 * The welcome ledger: one row per (corp, welcome code), written before WeCom is called, so a re-processed add
 * never sends twice and a refused or missed code is kept (never retried: the code lives 20 s).
 */
export const liveCodeWelcomeSchema = new Schema(
  {
    corpId: { type: String, required: true },
    welcomeCode: { type: String, required: true },
    liveCodeId: { type: String, required: true },
    contactId: { type: String, required: true },
    staffUserId: { type: String, required: true },
    templateId: { type: String, default: null },
    version: { type: Number, default: null },
    /** The A/B arm drawn for this contact; null without variants. */
    variant: { type: String, default: null },
    status: { type: String, enum: ['sending', 'sent', 'missed', 'failed', 'skipped'], required: true },
    /** Why it was not sent: `window_passed`, `readd`, `holdout`, `no_template`, `no_capability`, or the vendor's message. */
    reason: { type: String, default: null },
    errcode: { type: Number, default: null },
    occurredAt: { type: Date, required: true },
    deadline: { type: Date, required: true },
    attemptedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    latencyMs: { type: Number, default: null },
  },
  { collection: 'live_code_welcomes', strict: 'throw', versionKey: false },
);
// Exactly once per welcome code.
liveCodeWelcomeSchema.index({ corpId: 1, welcomeCode: 1 }, { unique: true });
// "Was this customer already welcomed by this code?" (re-adds get no second welcome).
liveCodeWelcomeSchema.index({ corpId: 1, liveCodeId: 1, contactId: 1 });

/**
 * Attribution: one row per add event attributed to a code (idempotent on the event key). `reAdd` when the same
 * contact had already come in through this code; `confirmsHalf` for the add_external_contact that follows an
 * add_half_external_contact of the same pair (one person, one add); `resolvedBy` says how the code was found.
 */
export const liveCodeAddSchema = new Schema(
  {
    corpId: { type: String, required: true },
    eventKey: { type: String, required: true },
    liveCodeId: { type: String, required: true },
    channel: { type: String, required: true },
    contactId: { type: String, required: true },
    externalUserId: { type: String, required: true },
    staffUserId: { type: String, required: true },
    staffId: { type: String, default: null },
    storeId: { type: String, default: null },
    state: { type: String, default: null },
    resolvedBy: { type: String, enum: ['state', 'state_prefix', 'follow_state', 'staff_default'], required: true },
    reAdd: { type: Boolean, required: true },
    /** add_half_external_contact: the customer added a member with 免验证 on, before the member confirmed. */
    half: { type: Boolean, default: false },
    /** The full add that confirms an earlier half add of the same pair: the same person, not counted again. */
    confirmsHalf: { type: Boolean, default: false },
    addedAt: { type: Date, required: true },
  },
  { collection: 'live_code_adds', strict: 'throw', versionKey: false },
);
// A re-processed add event is stored once.
liveCodeAddSchema.index({ corpId: 1, eventKey: 1 }, { unique: true });
// Analytics over a period, per code; today's adds per staff for the daily limit.
liveCodeAddSchema.index({ corpId: 1, liveCodeId: 1, addedAt: 1 });
// Analytics over a period for the whole corp.
liveCodeAddSchema.index({ corpId: 1, addedAt: 1 });
// Re-add detection and a contact's channel history.
liveCodeAddSchema.index({ corpId: 1, contactId: 1, liveCodeId: 1 });

export type LiveCodeDoc = InferSchemaType<typeof liveCodeSchema>;
export type LiveCodeWelcomeDoc = InferSchemaType<typeof liveCodeWelcomeSchema>;
export type LiveCodeAddDoc = InferSchemaType<typeof liveCodeAddSchema>;
