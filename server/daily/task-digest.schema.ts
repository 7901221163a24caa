import { Schema, type InferSchemaType } from 'mongoose';

/**
 * The 09:00 "today's tasks" card for one staff member and store-local date: written before the vendor call
 * (pending), then sent or failed with the errcode. A retried job sends only what is still pending.
 */
export const taskDigestSchema = new Schema(
  {
    corpId: { type: String, required: true },
    storeId: { type: String, required: true },
    staffId: { type: String, required: true },
    staffUserId: { type: String, required: true },
    localDate: { type: String, required: true },
    counts: { type: Map, of: Number, default: {} },
    open: { type: Number, required: true },
    status: { type: String, enum: ['pending', 'sent', 'failed', 'unknown_user'], required: true, default: 'pending' },
    vendorId: { type: String, default: null },
    error: { errcode: { type: Number, default: null }, message: { type: String, default: null } },
    sentAt: { type: Date, default: null },
  },
  { collection: 'task_digests', timestamps: true, strict: 'throw', minimize: false },
);
// One card per staff member and day.
taskDigestSchema.index({ corpId: 1, staffId: 1, localDate: 1 }, { unique: true });
// The store's cards of a day (the job's retry picks the pending ones).
taskDigestSchema.index({ corpId: 1, storeId: 1, localDate: 1 });

export type TaskDigestDoc = InferSchemaType<typeof taskDigestSchema>;
