import { Schema, type InferSchemaType } from 'mongoose';

/**
 * Vendor details still owed after an event was applied without them (the vendor's API did not answer): a
 * customer's externalcontact/get, a group's groupchat/get or an official-account follower's user/info. One row per (account, kind, vendor id); the
 * detail sweep (jobs/sweeps.job.ts) fetches and applies them with backoff, and deletes the row once applied.
 */
export const detailDueSchema = new Schema(
  {
    corpId: { type: String, required: true },
    accountId: { type: String, required: true },
    kind: { type: String, enum: ['contact', 'group', 'follower'], required: true },
    /** The external userid, the chat id or the official-account openid. */
    vendorId: { type: String, required: true },
    /** When the latest event about it happened: a group's member changes are dated from it. */
    occurredAt: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'details_due', strict: 'throw', versionKey: false },
);
// One row per thing owed: a second event about the same customer joins the row.
detailDueSchema.index({ accountId: 1, kind: 1, vendorId: 1 }, { unique: true });
// The sweep: due rows, oldest due first.
detailDueSchema.index({ nextAttemptAt: 1 });

export type DetailDueDoc = InferSchemaType<typeof detailDueSchema>;
