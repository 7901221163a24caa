import { Schema, type InferSchemaType } from 'mongoose';

export const DAILY_WORK = ['task_digest', 'sop_rollup'] as const;
export type DailyWork = (typeof DAILY_WORK)[number];

/**
 * One piece of a store's daily work (the 09:00 task digest, the nightly rollup) for one store-local date. Every
 * scheduler process looks at the stores each minute; the unique key lets exactly one of them claim the day's
 * work and hand it to agenda, and a process that was down at 09:00 still finds the day unclaimed.
 */
export const dailyRunSchema = new Schema(
  {
    corpId: { type: String, required: true },
    storeId: { type: String, required: true },
    work: { type: String, enum: DAILY_WORK, required: true },
    localDate: { type: String, required: true },
    claimedBy: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'daily_runs', timestamps: true, strict: 'throw' },
);
// The claim: one row per store, work and local date.
dailyRunSchema.index({ corpId: 1, storeId: 1, work: 1, localDate: 1 }, { unique: true });

export type DailyRunDoc = InferSchemaType<typeof dailyRunSchema>;
