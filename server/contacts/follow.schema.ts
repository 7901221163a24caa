import { Schema } from 'mongoose';

/** A friend relation between one customer and one staff member (WeCom follow_user). */
export const followSchema = new Schema(
  {
    corpId: { type: String, required: true },
    contactId: { type: String, required: true },
    staffId: { type: String, required: true },
    staffUserId: { type: String, required: true },
    storeId: { type: String, required: true },
    remark: { type: String, default: '' },
    description: { type: String, default: '' },
    tagIds: { type: [String], default: [] },
    addWay: { type: Number, default: 0 },
    state: { type: String, default: '' },
    addedAt: { type: Date, required: true },
    deletedAt: { type: Date, default: null },
    deletedBy: { type: String, enum: ['staff', 'customer', null], default: null },
  },
  { collection: 'follows', timestamps: true, strict: 'throw' },
);
// One relation per (customer, staff member): upserts from add / edit / delete callbacks.
followSchema.index({ corpId: 1, contactId: 1, staffId: 1 }, { unique: true });
// A staff member's customers (handover, task lists).
followSchema.index({ corpId: 1, staffId: 1 });
// Attribution reports by channel code.
followSchema.index({ corpId: 1, state: 1 });
