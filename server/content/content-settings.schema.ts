import { Schema, type InferSchemaType } from 'mongoose';

/**
 * Per-corp content policy used by the publish checks: sensitive words and the link-domain allow-list. A corp
 * without a row uses the defaults (DEFAULT_CONTENT_SETTINGS); the first PUT writes the whole row, so HQ can
 * also remove a default word. Kept apart from `corps` so the policy has its own history fields.
 */
export const contentSettingsSchema = new Schema(
  {
    corpId: { type: String, required: true },
    sensitiveWords: { type: [String], default: [] },
    /** Registrable domains or hosts; subdomains are allowed too. Empty: no link may be published. */
    allowedLinkDomains: { type: [String], default: [] },
    updatedBy: { type: String, default: null },
  },
  { collection: 'content_settings', timestamps: true, strict: 'throw' },
);
// Publish checks and GET/PUT /api/content/settings: one row per corp.
contentSettingsSchema.index({ corpId: 1 }, { unique: true });

export type ContentSettingsDoc = InferSchemaType<typeof contentSettingsSchema>;
