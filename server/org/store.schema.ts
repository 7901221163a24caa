import { Schema, type InferSchemaType } from 'mongoose';
import { DEFAULT_TIMEZONE } from './timezone.ts';

export const storeSchema = new Schema(
  {
    corpId: { type: String, required: true },
    code: { type: String, required: true },
    name: { type: String, required: true },
    city: { type: String, required: true },
    region: { type: String, required: true },
    timezone: { type: String, required: true, default: DEFAULT_TIMEZONE },
    address: { type: String },
    location: { lat: Number, lng: Number },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'stores', timestamps: true, strict: 'throw' },
);
// Store codes are the brand's own ids (POS, ERP): unique per corp; also serves list-by-corp.
storeSchema.index({ corpId: 1, code: 1 }, { unique: true });

export type StoreDoc = InferSchemaType<typeof storeSchema>;
