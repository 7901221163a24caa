import { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * The touch ledger: one row per planned message, written before any vendor call under a unique key
 * `sopId:contactId:rotation:stepId`, then moved scheduled → sending → sent | failed | skipped (with the reason:
 * quiet_hours deferrals are recorded in `deferrals`; caps, suppression, closed windows and vendor errcodes end
 * the row). A `sending` row carries a lease; a worker that dies mid-send leaves it to be reconciled. Where the
 * staff member publishes the send themselves (moments, group mass sends) the accepted row is `awaiting` until the
 * vendor's outcome is read back: sent only once it was published.
 */
export const touchSchema = new Schema(
  {
    corpId: { type: String, required: true },
    key: { type: String, required: true },
    sopId: { type: String, required: true },
    sopVersion: { type: Number, required: true },
    enrollmentId: { type: String, required: true },
    contactId: { type: String, required: true },
    storeId: { type: String, default: null },
    staffId: { type: String, default: null },
    stepId: { type: String, required: true },
    channel: { type: String, required: true },
    templateId: { type: String, required: true },
    templateVersion: { type: Number, default: null },
    experiment: { type: String, default: null },
    variant: { type: String, default: null },
    priority: { type: Number, required: true },
    tz: { type: String, required: true },
    dueAt: { type: Date, required: true },
    localDay: { type: String, required: true },
    status: { type: String, enum: ['scheduled', 'held', 'sending', 'awaiting', 'sent', 'failed', 'skipped'], required: true, default: 'scheduled' },
    reason: { type: String, default: null },
    deferrals: { type: [{ _id: false, reason: String, from: Date, to: Date }], default: [] },
    text: { type: String, default: null },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    attempts: { type: Number, required: true, default: 0 },
    sendStartedAt: { type: Date, default: null },
    /** Taken over from a worker whose lease lapsed mid-send: ask the vendor before sending again. */
    reclaimed: { type: Boolean, default: false },
    vendorId: { type: String, default: null },
    error: { errcode: { type: Number, default: null }, kind: { type: String, default: null }, message: { type: String, default: null } },
    sentAt: { type: Date, default: null },
    /**
     * An `awaiting` touch (the staff member publishes it in WeCom): when its outcome is read back next. Absent on
     * every other touch (no default).
     */
    checkAt: { type: Date },
  },
  { collection: 'sop_touches', timestamps: true, strict: 'throw', minimize: false },
);
// Idempotency: a step of a run is planned once, whatever crashes and retries happen.
touchSchema.index({ corpId: 1, key: 1 }, { unique: true });
// The dispatcher's claim: scheduled rows that are due.
touchSchema.index({ status: 1, dueAt: 1 });
// The read-back of sends staff publish themselves has no index of its own: `{ status: 'awaiting' }` is served by
// the claim's index above, and awaiting rows are few. A dedicated { status, checkAt } index cost the fan-out's
// inserts 0.53 → 0.47 of raw (sop-fanout, same machine).
// Frequency caps: a contact's touches on one local day.
touchSchema.index({ corpId: 1, contactId: 1, localDay: 1 });
// Execution reports by SOP.
touchSchema.index({ corpId: 1, sopId: 1, status: 1 });
// Execution reports across SOPs for a date range.
touchSchema.index({ corpId: 1, localDay: 1 });
// Experiment results: the units of one experiment (sparse in practice: most touches carry no experiment).
touchSchema.index({ corpId: 1, experiment: 1 });

export type TouchDoc = InferSchemaType<typeof touchSchema>;

export type TouchStatus = TouchDoc['status'];
/** A touch as the ledger hands it out (lean): the schema's fields plus the id and timestamps. */
export type TouchRow = TouchDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };
