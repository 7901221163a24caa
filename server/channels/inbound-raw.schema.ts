import { Schema, type InferSchemaType } from 'mongoose';

/**
 * Verified callback payloads, recorded before the 200 is sent and processed afterwards. The collection is also
 * the work queue: processors claim `pending` rows with an atomic update and a lease, so a crashed processor's
 * rows are claimed again when the lease runs out. `digest` (sha256 of the plaintext) makes Tencent's
 * redeliveries of the same payload collapse into one row.
 */
export const inboundRawSchema = new Schema(
  {
    accountId: { type: String, required: true },
    corpId: { type: String, required: true },
    channel: { type: String, required: true },
    digest: { type: String, required: true },
    plaintext: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    status: { type: String, enum: ['pending', 'processing', 'processed', 'rejected', 'failed'], required: true, default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    leaseUntil: { type: Date, default: null },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: null },
    eventKeys: { type: [String], default: [] },
    processedAt: { type: Date, default: null },
    /** Why a `failed` row failed: `transient` (vendor or database unavailable) rows are revived by the inbox sweep. */
    failKind: { type: String, enum: ['transient', 'permanent', null], default: null },
    /** How many times the inbox sweep put this row back after an outage. */
    revivals: { type: Number, default: 0 },
    /** 1 for a WeCom add carrying a WelcomeCode (valid 20 s): claimed before everything else. */
    priority: { type: Number, default: 0 },
    /** The batch claim that holds this row (claimBatch): one write claims the batch, this finds what it got. */
    claimToken: { type: String, default: null },
  },
  { collection: 'inbound_raw', strict: 'throw', versionKey: false },
);
// Redelivery dedupe: one row per (account, payload).
inboundRawSchema.index({ accountId: 1, digest: 1 }, { unique: true });
// The processor's claim: due rows by status, welcome-code adds first, then by due time (one index: every
// index is paid for on each callback's insert).
inboundRawSchema.index({ status: 1, priority: -1, nextAttemptAt: 1 });

export type InboundRawDoc = InferSchemaType<typeof inboundRawSchema>;
