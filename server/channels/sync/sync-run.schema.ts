import { Schema, type InferSchemaType } from 'mongoose';

export const SYNC_PHASES = ['customers', 'groups', 'done'] as const;
export const SYNC_STATUSES = ['running', 'failed', 'interrupted', 'done', 'abandoned'] as const;

/**
 * One full pull of a channel account (`siyu sync wecom`), saved after every page so a crashed or interrupted
 * run resumes from its last cursor. A run is unfinished while `finishedAt` is null.
 */
export const syncRunSchema = new Schema(
  {
    corpId: { type: String, required: true },
    accountId: { type: String, required: true },
    channel: { type: String, enum: ['wecom'], required: true },
    status: { type: String, enum: SYNC_STATUSES, required: true, default: 'running' },
    phase: { type: String, enum: SYNC_PHASES, required: true, default: 'customers' },
    /** The active staff when the run started, sorted; batches are slices of it, so a resume asks the same questions. */
    staffUserIds: { type: [String], default: [] },
    /** Index of the current staff batch in this phase, and the vendor cursor inside it (null: first page). */
    batch: { type: Number, required: true, default: 0 },
    cursor: { type: String, default: null },
    counts: {
      contacts: { type: Number, required: true, default: 0 },
      created: { type: Number, required: true, default: 0 },
      follows: { type: Number, required: true, default: 0 },
      groups: { type: Number, required: true, default: 0 },
    },
    /** How many times the run was picked up again after a failure or interruption. */
    resumes: { type: Number, required: true, default: 0 },
    lastError: { type: String, default: null },
    /** `host:pid` of the process working on the run, and until when its claim holds without progress. */
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    startedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { collection: 'sync_runs', strict: 'throw', versionKey: false },
);
// The unfinished run of an account, to resume it (and the newest runs of an account).
syncRunSchema.index({ corpId: 1, accountId: 1, finishedAt: 1, startedAt: -1 });

export type SyncRunDoc = InferSchemaType<typeof syncRunSchema>;
export type SyncPhase = (typeof SYNC_PHASES)[number];
