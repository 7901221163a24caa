import { Schema } from 'mongoose';

const memberSchema = new Schema(
  {
    memberType: { type: String, enum: ['staff', 'external'], required: true },
    userId: { type: String, required: true },
    contactId: { type: String, default: null },
    joinTime: { type: Date, required: true },
    joinScene: { type: Number, default: 0 },
    quitTime: { type: Date, default: null },
  },
  { _id: false },
);

/** A WeCom customer group (客户群) with its membership history: a quit member keeps its row with quitTime. */
export const customerGroupSchema = new Schema(
  {
    corpId: { type: String, required: true },
    chatId: { type: String, required: true },
    name: { type: String, default: '' },
    ownerUserId: { type: String, required: true },
    storeId: { type: String, default: null },
    notice: { type: String, default: '' },
    members: { type: [memberSchema], default: [] },
    dismissedAt: { type: Date, default: null },
  },
  { collection: 'customer_groups', timestamps: true, strict: 'throw' },
);
// Callback upserts by WeCom chat id.
customerGroupSchema.index({ corpId: 1, chatId: 1 }, { unique: true });
// A contact's groups (contact detail page).
customerGroupSchema.index({ corpId: 1, 'members.contactId': 1 });
// The console's group list: a store's groups newest first (store managers, the store filter); HQ's whole-corp page uses the corpId prefix.
customerGroupSchema.index({ corpId: 1, storeId: 1, _id: -1 });
// The console's group list filtered by owner.
customerGroupSchema.index({ corpId: 1, ownerUserId: 1, _id: -1 });
