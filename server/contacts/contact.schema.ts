import { Schema, type InferSchemaType } from 'mongoose';

export const LIFECYCLE_STAGES = ['lead', 'friend', 'customer', 'vip', 'lost'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/**
 * One person across channels. Every channel identity is also written as a string key into `identityKeys`
 * (`wecom:<externalUserId>`, `unionid:<id>`, `openid:<appId>:<openid>`, `kf:<id>`, `wechaty:<id>`,
 * `phone:<hmac>`): one unique multikey index then both finds a person by any identity and makes the database
 * refuse a second contact for the same identity, which is what keeps concurrent upserts from duplicating.
 */
export const contactSchema = new Schema(
  {
    corpId: { type: String, required: true },
    identityKeys: { type: [String], required: true },
    externalUserId: { type: String },
    unionid: { type: String },
    openids: { type: [{ _id: false, appId: String, openid: String }], default: [] },
    kfIds: { type: [String], default: [] },
    wechatyIds: { type: [String], default: [] },
    phoneEnc: { type: String, select: false },
    phoneHash: { type: String },
    phoneMasked: { type: String },
    name: { type: String, default: '' },
    avatar: { type: String },
    gender: { type: Number, enum: [0, 1, 2], default: 0 },
    lifecycle: { type: String, enum: LIFECYCLE_STAGES, required: true, default: 'lead' },
    consent: {
      optedOut: { type: Boolean, required: true, default: false },
      optedOutAt: { type: Date, default: null },
      reachable: { type: Boolean, required: true, default: true },
    },
    homeStoreId: { type: String, default: null },
    storeIds: { type: [String], default: [] },
    staffIds: { type: [String], default: [] },
    tagIds: { type: [String], default: [] },
    remarks: { type: [String], default: [] },
    lastInteractionAt: { type: Date, default: null },
    mergedInto: { type: String, default: null },
    mergedKeys: { type: [String], default: [] },
    /** Identity keys (`openid:<app>:<openid>`) of official-account followers who unsubscribed. */
    unsubscribedKeys: { type: [String], default: [] },
  },
  { collection: 'contacts', timestamps: true, strict: 'throw' },
);
// Identity lookup and the no-duplicate guarantee (see above).
contactSchema.index({ corpId: 1, identityKeys: 1 }, { unique: true });
// Store-scoped lists (store managers, staff) newest first.
contactSchema.index({ corpId: 1, storeIds: 1, _id: -1 });
// Tag filters (all / any / none) and audience evaluation.
contactSchema.index({ corpId: 1, tagIds: 1 });
// "My customers" for one staff member.
contactSchema.index({ corpId: 1, staffIds: 1 });
// Lifecycle filters and dashboards.
contactSchema.index({ corpId: 1, lifecycle: 1 });

export type ContactDoc = InferSchemaType<typeof contactSchema>;
