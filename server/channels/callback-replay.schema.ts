import { Schema } from 'mongoose';

/**
 * Signed callback parameters remembered for requests whose signature does not cover the payload (official-account
 * plain mode and URL verification), so one captured URL cannot carry a second payload. Encrypted pushes never land
 * here: their signature covers the ciphertext, and the inbox's payload dedupe already answers their replays.
 * Kept in MongoDB so every HTTP worker and a restarted server see the same keys.
 */
export const callbackReplaySchema = new Schema(
  {
    accountId: { type: String, required: true },
    /** `timestamp:nonce:signature` as the adapter reports it. */
    key: { type: String, required: true },
    /** sha256 of the payload (or echostr) the parameters first came with: the same one again is a retry. */
    digest: { type: String, required: true },
    /** When the timestamp leaves the window; after that the request is refused as stale anyway. */
    expiresAt: { type: Date, required: true },
  },
  { collection: 'callback_replays', strict: 'throw', versionKey: false },
);
// The replay check: one row per (account, signed parameters); a second insert fails with 11000.
callbackReplaySchema.index({ accountId: 1, key: 1 }, { unique: true });
// MongoDB's TTL monitor removes rows once their window has passed.
callbackReplaySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
