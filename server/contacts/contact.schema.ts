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
// Identity lookup and the no-duplicate guarantee (see above). Also serves the list's `channel` filter (an anchored
// prefix such as /^wecom:/ is an index range) and a search by full phone number (`phone:<hmac>` equality).
contactSchema.index({ corpId: 1, identityKeys: 1 }, { unique: true });
// Store-scoped lists (store managers, staff) newest first; the list's `store` filter. A tag + store filter uses this
// or the tag index below and checks the other field on the fetched documents: MongoDB refuses a compound index
// over two array fields (tagIds × storeIds), so there is no single index for both.
contactSchema.index({ corpId: 1, storeIds: 1, _id: -1 });
// Tag filters: `tagsAll` / `tagsAny` walk one tag's entries already in newest-first order (no in-memory sort for
// the first page); audience evaluation uses the same prefix.
contactSchema.index({ corpId: 1, tagIds: 1, _id: -1 });
// "My customers" for one staff member; the list's `staff` filter.
contactSchema.index({ corpId: 1, staffIds: 1 });
// Lifecycle filters newest first, and dashboards counting by stage (the prefix).
contactSchema.index({ corpId: 1, lifecycle: 1, _id: -1 });
// The unfiltered list and `tagsNone` (a $nin cannot use an index range): walk live contacts newest first and
// drop the tagged ones; a first page stops after `limit` matches, so it stays fast while most contacts match.
contactSchema.index({ corpId: 1, mergedInto: 1, _id: -1 });
// "Added between" (createdAt range) on the list and in exports.
contactSchema.index({ corpId: 1, createdAt: -1 });
// Search: the list matches `q` as a prefix (anchored, case-sensitive: an index range) of the name or a remark,
// one index each, which MongoDB combines for the $or.
contactSchema.index({ corpId: 1, name: 1 });
contactSchema.index({ corpId: 1, remarks: 1 });
// Search by masked phone (`138****5678` equality) or its last four digits (a suffix: scans index keys only).
contactSchema.index({ corpId: 1, phoneMasked: 1 });

export type ContactDoc = InferSchemaType<typeof contactSchema>;
