/** One-time sign-in links for the staff phone page (server/auth/staff-login.ts issues and consumes them). */
import { Schema } from 'mongoose';

export const staffLoginLinkSchema = new Schema(
  {
    corpId: { type: String, required: true },
    staffId: { type: String, required: true },
    secretHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    /** Set when the staff member resigns before using the link. */
    revokedAt: { type: Date, default: null },
    /** The token id of whoever issued the link. */
    issuedBy: { type: String, required: true },
  },
  { collection: 'staff_login_links', timestamps: true, strict: 'throw' },
);
// Consuming a link: lookup by the hash of its secret.
staffLoginLinkSchema.index({ secretHash: 1 }, { unique: true });
// Revoking a staff member's open links when they resign.
staffLoginLinkSchema.index({ corpId: 1, staffId: 1 });
