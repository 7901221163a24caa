import { Schema, type InferSchemaType } from 'mongoose';
import { ROLES } from '../shared/principal.ts';

/** API tokens. Only a SHA-256 of the secret is stored; the secret is shown once, when issued. */
export const tokenSchema = new Schema(
  {
    corpId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    staffId: { type: String, default: null },
    storeId: { type: String, default: null },
    name: { type: String, required: true },
    revokedAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
    /** Set on every token issued since tokens expire; older rows have none (see token-expiry.ts expiryOf). */
    expiresAt: { type: Date, default: null },
  },
  { collection: 'api_tokens', timestamps: true, strict: 'throw' },
);
// Authenticating a request: lookup by hash.
tokenSchema.index({ tokenHash: 1 }, { unique: true });
// GET /api/tokens: a corp's tokens, newest first.
tokenSchema.index({ corpId: 1, _id: -1 });
// GET /api/tokens for a store's staff, and revoking a staff member's tokens when they resign.
tokenSchema.index({ corpId: 1, staffId: 1, _id: -1 });

export type TokenDoc = InferSchemaType<typeof tokenSchema>;
