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
    // Delivery policy the SOP dispatcher honours; absent means the defaults below (stores made before these fields).
    quietHours: { start: { type: String }, end: { type: String } },
    dailyCap: { type: Number },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'stores', timestamps: true, strict: 'throw' },
);
// Store codes are the brand's own ids (POS, ERP): unique per corp; also serves list-by-corp.
storeSchema.index({ corpId: 1, code: 1 }, { unique: true });

/**
 * What a store gets when it sets no policy: the defaults every store had before per-store settings
 * (server/sop/definition/common.schema.ts DEFAULT_QUIET_HOURS / DEFAULT_FREQUENCY_CAP say the same).
 */
export const STORE_POLICY_DEFAULTS = { quietHours: { start: '21:00', end: '09:00' }, dailyCap: 1 } as const;
/** The largest daily cap a store may set: more touches a day than this reads as spam to a WeCom customer. */
export const MAX_DAILY_CAP = 10;

export type StoreDoc = InferSchemaType<typeof storeSchema>;
