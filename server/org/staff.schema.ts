import { Schema, type InferSchemaType } from 'mongoose';

export const STAFF_ROLES = ['store_manager', 'staff'] as const;

export const staffSchema = new Schema(
  {
    corpId: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    storeId: { type: String, required: true },
    role: { type: String, enum: STAFF_ROLES, required: true, default: 'staff' },
    mobile: { type: String },
    status: { type: String, enum: ['active', 'resigned'], required: true, default: 'active' },
    quotas: {
      addFriendsPerDay: { type: Number, required: true, default: 20 },
      massSendsPerDay: { type: Number, required: true, default: 1 },
    },
  },
  { collection: 'staff', timestamps: true, strict: 'throw' },
);
// Callbacks name staff by WeCom userid: lookup per corp, unique.
staffSchema.index({ corpId: 1, userId: 1 }, { unique: true });
// Store pages and store scoping: the staff of one store.
staffSchema.index({ corpId: 1, storeId: 1 });

export type StaffDoc = InferSchemaType<typeof staffSchema>;
