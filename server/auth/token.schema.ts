import { Schema, type InferSchemaType } from 'mongoose';

export const ROLES = ['hq_admin', 'marketer', 'store_manager', 'staff'] as const;
export type Role = (typeof ROLES)[number];

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
  },
  { collection: 'api_tokens', timestamps: true, strict: 'throw' },
);
// Authenticating a request: lookup by hash.
tokenSchema.index({ tokenHash: 1 }, { unique: true });

export type TokenDoc = InferSchemaType<typeof tokenSchema>;
