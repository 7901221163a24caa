import { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * One contact's run through one SOP. `rotation` counts re-entries and is part of the unique key, so history is
 * kept. The runner advances a run one step at a time: `stepId` is the step to execute at `dueAt`, `cursorAt`
 * the instant the previous step happened (durations count from it), `enteredAt` anchors "day N at HH:MM".
 */
export const enrollmentSchema = new Schema(
  {
    corpId: { type: String, required: true },
    sopId: { type: String, required: true },
    contactId: { type: String, required: true },
    storeId: { type: String, default: null },
    staffId: { type: String, default: null },
    tz: { type: String, required: true },
    rotation: { type: Number, required: true },
    enteredAt: { type: Date, required: true },
    status: { type: String, enum: ['active', 'paused', 'completed', 'exited'], required: true, default: 'active' },
    exitReason: { type: String, default: null },
    stepId: { type: String, default: null },
    dueAt: { type: Date, default: null },
    cursorAt: { type: Date, required: true },
    steps: { type: Number, required: true, default: 0 },
    variants: { type: Schema.Types.Mixed, default: {} },
    stepTimes: { type: Schema.Types.Mixed, default: {} },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    endedAt: { type: Date, default: null },
  },
  { collection: 'sop_enrollments', timestamps: true, strict: 'throw', minimize: false },
);
// One run per (SOP, contact, rotation): the idempotency of enrollment.
enrollmentSchema.index({ corpId: 1, sopId: 1, contactId: 1, rotation: 1 }, { unique: true });
// The runner's claim: active runs that are due.
enrollmentSchema.index({ status: 1, dueAt: 1 });
// A contact's SOPs (sidebar, exits on events).
enrollmentSchema.index({ corpId: 1, contactId: 1, status: 1 });

export type EnrollmentDoc = InferSchemaType<typeof enrollmentSchema>;

export type RunStatus = EnrollmentDoc['status'];
/** A run as the ledger hands it out (lean). */
export type RunRow = EnrollmentDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };
