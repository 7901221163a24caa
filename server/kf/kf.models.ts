/**
 * The kf (微信客服) domain's collections: knowledge entries, their immutable versions, and one settings
 * document per corp (matching thresholds, handover keywords, vocabulary).
 */
import { Schema, type Connection, type MongooseQueryMiddleware } from 'mongoose';
import { kfReviewSchema, kfSessionSchema } from './session/kf-session.schema.ts';
import { kfTicketSchema } from './ticket/kf-ticket.schema.ts';
import { kfStatsDaySchema } from './numbers/kf-stats-day.schema.ts';

export const ATTACHMENT_TYPES = ['image', 'link', 'miniprogram'] as const;

/** An answer's attachment: media from the content library (mediaId) or a link / mini program. */
const attachmentSchema = new Schema(
  {
    type: { type: String, enum: ATTACHMENT_TYPES, required: true },
    mediaId: { type: String },
    url: { type: String },
    title: { type: String },
    appid: { type: String },
    pagepath: { type: String },
  },
  { _id: false, strict: 'throw' },
);

const answerSchema = new Schema({ text: { type: String, required: true }, attachments: { type: [attachmentSchema], default: [] } }, { _id: false, strict: 'throw' });

/** What an entry says: the current state and every version hold the same fields. */
const entryContent = {
  question: { type: String, required: true },
  similar: { type: [String], default: [] },
  answer: { type: answerSchema, required: true },
  category: { type: String, default: '' },
  /** Empty: every store. */
  storeIds: { type: [String], default: [] },
  /** Empty: every customer. */
  tagIds: { type: [String], default: [] },
} as const;

/** The current state of an entry; every state it ever had is also a row of kf_knowledge_versions. */
export const knowledgeEntrySchema = new Schema(
  {
    corpId: { type: String, required: true },
    ...entryContent,
    enabled: { type: Boolean, default: true },
    version: { type: Number, required: true, min: 1 },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'kf_knowledge', timestamps: true, strict: 'throw' },
);
// The list (newest first, by category) and loading a corp's live entries into the matcher.
knowledgeEntrySchema.index({ corpId: 1, deletedAt: 1, category: 1, _id: -1 });
// Import: is this standard question already there?
knowledgeEntrySchema.index({ corpId: 1, question: 1 });

/** What an entry said at one version: a past answer keeps pointing at it. Written once, never changed. */
export const knowledgeVersionSchema = new Schema(
  {
    corpId: { type: String, required: true },
    entryId: { type: String, required: true },
    version: { type: Number, required: true, min: 1 },
    ...entryContent,
    createdAt: { type: Date, required: true },
    /** Staff id, else the API token id, of whoever wrote it. */
    createdBy: { type: String, required: true },
  },
  { collection: 'kf_knowledge_versions', strict: 'throw' },
);
// One version by number (what a past answer said); unique, so two concurrent edits cannot both write N.
knowledgeVersionSchema.index({ corpId: 1, entryId: 1, version: 1 }, { unique: true });

const WRITES: MongooseQueryMiddleware[] = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'];
knowledgeVersionSchema.pre(WRITES, function refuse() {
  throw new Error('kf_knowledge_versions are immutable: write a new version instead');
});

export const kfSettingsSchema = new Schema(
  {
    corpId: { type: String, required: true },
    answerThreshold: { type: Number, required: true },
    suggestThreshold: { type: Number, required: true },
    handoverKeywords: { type: [String], default: [] },
    /** Product and store names kept whole when segmenting (the corp's open stores are added on their own). */
    dictionary: { type: [String], default: [] },
    synonyms: { type: [[String]], default: [] },
    /** 'desk' (agents reply from /service, WeCom keeps the session at 1) or 'wecom_client' (see kf-settings.repository.ts). */
    reception: { type: String, enum: ['desk', 'wecom_client'], default: 'desk' },
    /** Bumped by every knowledge write: a process whose cached index is older rebuilds it. */
    kbRevision: { type: Number, default: 0 },
  },
  { collection: 'kf_settings', timestamps: true, strict: 'throw' },
);
// One document per corp.
kfSettingsSchema.index({ corpId: 1 }, { unique: true });

export function registerKfModels(conn: Connection) {
  return {
    KnowledgeEntry: conn.model('KnowledgeEntry', knowledgeEntrySchema),
    KnowledgeVersion: conn.model('KnowledgeVersion', knowledgeVersionSchema),
    KfSettings: conn.model('KfSettings', kfSettingsSchema),
    KfSession: conn.model('KfSession', kfSessionSchema),
    KfTicket: conn.model('KfTicket', kfTicketSchema),
    KfReview: conn.model('KfReview', kfReviewSchema),
    KfStatsDay: conn.model('KfStatsDay', kfStatsDaySchema),
  };
}

export type KfModels = ReturnType<typeof registerKfModels>;
