import { Schema, type InferSchemaType } from 'mongoose';

/**
 * Execution of one store-local day, per staff member (`staffId` '' for touches without one): the touches of the
 * day by status and reason, the staff tasks by status. Recomputed whole by the nightly job, so a re-run after a
 * late confirmation simply replaces the row; HQ reads trends from here instead of scanning the ledger.
 */
export const sopRollupSchema = new Schema(
  {
    corpId: { type: String, required: true },
    storeId: { type: String, required: true },
    staffId: { type: String, default: '' },
    localDate: { type: String, required: true },
    touches: {
      total: { type: Number, default: 0 },
      sent: { type: Number, default: 0 },
      failed: { type: Number, default: 0 },
      skipped: { type: Number, default: 0 },
      pending: { type: Number, default: 0 },
      reasons: { type: Map, of: Number, default: {} },
    },
    tasks: {
      total: { type: Number, default: 0 },
      done: { type: Number, default: 0 },
      skipped: { type: Number, default: 0 },
      open: { type: Number, default: 0 },
    },
    computedAt: { type: Date, required: true },
  },
  { collection: 'sop_daily_rollups', timestamps: true, strict: 'throw', minimize: false },
);
// One row per store, staff member and day; the trend query reads a store's (or the corp's) date range.
sopRollupSchema.index({ corpId: 1, storeId: 1, localDate: 1, staffId: 1 }, { unique: true });

export type SopRollupDoc = InferSchemaType<typeof sopRollupSchema>;
