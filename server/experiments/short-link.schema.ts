import { Schema } from 'mongoose';

/**
 * Tracked short links `/r/<code>`: a click records `link.clicked` for the link's contact (with the touch,
 * SOP step, experiment and variant it was made for) and redirects to `url`. Codes are random base62.
 */
export const shortLinkSchema = new Schema(
  {
    corpId: { type: String, required: true },
    code: { type: String, required: true },
    url: { type: String, required: true },
    touchKey: { type: String, default: null },
    contactId: { type: String, default: null },
    storeId: { type: String, default: null },
    sopId: { type: String, default: null },
    stepId: { type: String, default: null },
    experiment: { type: String, default: null },
    variant: { type: String, default: null },
    createdBy: { type: String, default: null },
  },
  { collection: 'short_links', timestamps: true, strict: 'throw' },
);
// GET /r/:code resolves a code without knowing the corp, so a code is unique across corps (hence per corp).
shortLinkSchema.index({ code: 1 }, { unique: true });
