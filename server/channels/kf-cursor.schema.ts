import { Schema } from 'mongoose';

/** The kf/sync_msg cursor per 微信客服 account, persisted after every page so a restart resumes where it stopped. */
export const kfCursorSchema = new Schema(
  {
    accountId: { type: String, required: true },
    openKfId: { type: String, required: true },
    cursor: { type: String, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'kf_cursors', strict: 'throw', versionKey: false },
);
// One cursor per (account, kf account).
kfCursorSchema.index({ accountId: 1, openKfId: 1 }, { unique: true });
