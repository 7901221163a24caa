import { Schema, type InferSchemaType } from 'mongoose';

export const EXPERIMENT_STATUSES = ['running', 'stopped', 'decided'] as const;

/** The arm id of contacts held out of an experiment: assigned, counted, sent nothing. */
export const HOLDOUT = 'holdout';

/**
 * One A/B experiment: an SOP send step with variants (`experimentId` is the step's `experiment`, else
 * `<sopId>/<stepId>`, exactly what the runner writes on each touch) or a campaign greeting. Arm 0 is the
 * control of every comparison. Assignments of SOP experiments are the touch ledger itself (the first touch of
 * a contact in the experiment); only holdout contacts, who get no touch, are written to `experiment_assignments`.
 */
export const experimentSchema = new Schema(
  {
    corpId: { type: String, required: true },
    experimentId: { type: String, required: true },
    /** What marketers read: 「<SOP 名称> · <步骤>」 or the campaign's name (null on rows from before names). */
    name: { type: String, default: null },
    source: {
      sopId: { type: String, default: null },
      stepId: { type: String, default: null },
      campaignId: { type: String, default: null },
    },
    arms: { type: [{ _id: false, id: { type: String, required: true }, label: { type: String, default: null }, templateId: { type: String, required: true }, weight: { type: Number, required: true } }], required: true },
    /** Share of the holdout next to the arms' weights (same scale); 0 = no holdout. */
    holdoutWeight: { type: Number, required: true, default: 0 },
    /** Metric ids (see outcomes.ts); the first is the primary goal the auto-winner decides on. */
    goals: { type: [String], default: ['reply'] },
    guardrails: { type: [String], default: ['friend_deleted', 'opted_out'] },
    /** An outcome counts when it happens within this many days after the unit's exposure. */
    windowDays: { type: Number, required: true, default: 7 },
    /** Decide on the peeking-safe sequential p-value (the dashboard is live, so on by default). */
    sequential: { type: Boolean, required: true, default: true },
    startAt: { type: Date, required: true },
    endAt: { type: Date, default: null },
    stoppedAt: { type: Date, default: null },
    status: { type: String, enum: EXPERIMENT_STATUSES, required: true, default: 'running' },
    autoWinner: {
      enabled: { type: Boolean, required: true, default: false },
      decidedArm: { type: String, default: null },
      decidedAt: { type: Date, default: null },
      reason: { type: String, default: null },
    },
  },
  { collection: 'experiments', timestamps: true, strict: 'throw', minimize: false },
);
// One experiment per name and corp: lookups by id from the API, the runner and the results.
experimentSchema.index({ corpId: 1, experimentId: 1 }, { unique: true });

export type ExperimentDoc = InferSchemaType<typeof experimentSchema>;

/**
 * Holdout assignments (the only assignments the touch ledger cannot hold): written once per contact and
 * experiment by the runner when the deterministic draw puts the contact in the holdout.
 */
export const experimentAssignmentSchema = new Schema(
  {
    corpId: { type: String, required: true },
    experimentId: { type: String, required: true },
    contactId: { type: String, required: true },
    arm: { type: String, required: true },
    storeId: { type: String, default: null },
    /** When the contact would have been sent the message (the exposure time of the holdout unit). */
    assignedAt: { type: Date, required: true },
  },
  { collection: 'experiment_assignments', timestamps: true, strict: 'throw' },
);
// A contact is assigned once per experiment; the results read every assignment of one experiment.
experimentAssignmentSchema.index({ corpId: 1, experimentId: 1, contactId: 1 }, { unique: true });
// The chat sidebar's experiment arms of one customer (without it, every holdout of the corp is read).
experimentAssignmentSchema.index({ corpId: 1, contactId: 1 });
