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

/** An answer variant of an A/B test: the customer's arm (key) decides which text the bot sends. */
const variantSchema = new Schema({ key: { type: String, required: true }, answer: { type: String, required: true } }, { _id: false, strict: 'throw' });

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
  /** Two or more: the entry's answer is A/B tested (an experiment named after the question), else empty. */
  variants: { type: [variantSchema], default: [] },
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
    /** Minutes of silence after which the idle sweep ends a bot-held (0 / 1) or a pool (2) session. */
    botIdleEndMinutes: { type: Number, default: 30 },
    poolIdleEndMinutes: { type: Number, default: 240 },
    /** Bumped by every knowledge write: a process whose cached index is older rebuilds it. */
    kbRevision: { type: Number, default: 0 },
  },
  { collection: 'kf_settings', timestamps: true, strict: 'throw' },
);
// One document per corp.
kfSettingsSchema.index({ corpId: 1 }, { unique: true });

/**
 * How often the bot answered an entry (a matched answer or a clicked menu item), per UTC day: the greeting menu
 * offers the most asked of the last 30 days. One row per entry and day keeps the read small at any volume.
 */
export const kfEntryAskSchema = new Schema(
  {
    corpId: { type: String, required: true },
    entryId: { type: String, required: true },
    /** YYYY-MM-DD (UTC). */
    day: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
  },
  { collection: 'kf_entry_asks', strict: 'throw' },
);
// The upsert of one entry's day, and the corp's days since a date (the menu's read).
kfEntryAskSchema.index({ corpId: 1, day: 1, entryId: 1 }, { unique: true });

/**
 * A customer's first answer from an A/B tested entry: the experiment's unit, waiting for its outcome. Resolved
 * (a conversion) when the session ends or falls silent without a handover; handed over (no conversion) otherwise.
 */
export const kfAnswerTestSchema = new Schema(
  {
    corpId: { type: String, required: true },
    experimentId: { type: String, required: true },
    contactId: { type: String, required: true },
    entryId: { type: String, required: true },
    arm: { type: String, required: true },
    sessionId: { type: String, required: true },
    answeredAt: { type: Date, required: true },
    status: { type: String, enum: ['pending', 'resolved', 'handed_over'], required: true, default: 'pending' },
    settledAt: { type: Date, default: null },
  },
  { collection: 'kf_answer_tests', strict: 'throw' },
);
// One unit per customer and experiment: later sessions get the same arm but are not judged again.
kfAnswerTestSchema.index({ corpId: 1, experimentId: 1, contactId: 1 }, { unique: true });
// A session's open tests (settled on handover or end), and the sweep of pending ones.
kfAnswerTestSchema.index({ corpId: 1, sessionId: 1, status: 1 });
kfAnswerTestSchema.index({ status: 1, answeredAt: 1 });

export function registerKfModels(conn: Connection) {
  return {
    KnowledgeEntry: conn.model('KnowledgeEntry', knowledgeEntrySchema),
    KnowledgeVersion: conn.model('KnowledgeVersion', knowledgeVersionSchema),
    KfSettings: conn.model('KfSettings', kfSettingsSchema),
    KfSession: conn.model('KfSession', kfSessionSchema),
    KfTicket: conn.model('KfTicket', kfTicketSchema),
    KfReview: conn.model('KfReview', kfReviewSchema),
    KfEntryAsk: conn.model('KfEntryAsk', kfEntryAskSchema),
    KfAnswerTest: conn.model('KfAnswerTest', kfAnswerTestSchema),
    KfStatsDay: conn.model('KfStatsDay', kfStatsDaySchema),
  };
}

export type KfModels = ReturnType<typeof registerKfModels>;
