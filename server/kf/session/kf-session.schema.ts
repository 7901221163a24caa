/**
 * A 微信客服 session per (corp, open_kfid, external_userid) from the customer's arrival to its end, with its
 * messages, and the review queue of questions the bot could not answer.
 */
import { Schema } from 'mongoose';

export const KF_SESSION_STATES = [0, 1, 2, 3, 4] as const;
export const KF_SPEAKERS = ['customer', 'bot', 'servicer', 'system'] as const;
export const KF_END_REASONS = ['servicer', 'idle'] as const;

const messageSchema = new Schema(
  {
    /** WeCom's msgid for what came in; ours for what we sent. */
    msgId: { type: String, required: true },
    from: { type: String, enum: KF_SPEAKERS, required: true },
    text: { type: String, default: '' },
    at: { type: Date, required: true },
    /** The knowledge entry (and version) an answer came from. */
    entryId: { type: String, default: null },
    entryVersion: { type: Number, default: null },
    /** A click on one of our menus. */
    menuId: { type: String, default: null },
    /** The staff userid of a servicer's message. */
    servicerUserId: { type: String, default: null },
  },
  { _id: false, strict: 'throw' },
);

export const kfSessionSchema = new Schema(
  {
    corpId: { type: String, required: true },
    openKfId: { type: String, required: true },
    externalUserId: { type: String, required: true },
    contactId: { type: String, default: null },
    /** 0 未处理, 1 智能助手, 2 待接入池, 3 人工接待, 4 已结束. */
    state: { type: Number, enum: KF_SESSION_STATES, required: true },
    servicerUserId: { type: String, default: null },
    startedAt: { type: Date, required: true },
    lastMessageAt: { type: Date, required: true },
    firstBotResponseAt: { type: Date, default: null },
    handedOverAt: { type: Date, default: null },
    takenAt: { type: Date, default: null },
    firstHumanResponseAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    /** Why it ended: a servicer ended it (the desk or the WeCom client), or the idle sweep did after a silence. */
    endReason: { type: String, enum: KF_END_REASONS, default: null },
    /**
     * The idle sweep leaves the session alone until then: a claim while it asks WeCom to end it (two schedulers
     * end it once; a dead worker's claim lapses), or the wait before retrying after a refusal.
     */
    idleEndNotBefore: { type: Date, default: null },
    /** The last refusal of an idle end: when, and WeCom's errcode (null when WeCom could not be reached). */
    idleEndFailure: { type: new Schema({ at: { type: Date, required: true }, errcode: { type: Number, default: null } }, { _id: false }), default: null },
    /** The msg_code of the last state change, kept until used (a 回复语 after 2 / 3, the survey after 4). */
    msgCode: { type: String, default: null },
    /** Suggestions offered: answered without handover when a click answered them. */
    suggestions: { type: Number, default: 0 },
    suggestionClicks: { type: Number, default: 0 },
    botAnswers: { type: Number, default: 0 },
    /** The bot answered from an A/B tested entry: a handover has tests to settle. Absent on sessions stored before. */
    answerTested: { type: Boolean },
    /** 3 很满意, 2 满意, 1 不满意. */
    rating: { type: Number, default: null },
    /** The question category the servicer picked when ending; else the bot's answers say what it was about. */
    category: { type: String, default: null },
    messages: { type: [messageSchema], default: [] },
    /** Inbound msgids already acted on: a re-processed page acts once. */
    seen: { type: [String], default: [] },
  },
  { collection: 'kf_sessions', timestamps: true, strict: 'throw' },
);
// The open session of a customer on an account (at most one not ended), and the desk's lists by state.
kfSessionSchema.index({ corpId: 1, openKfId: 1, externalUserId: 1, endedAt: 1 });
kfSessionSchema.index({ corpId: 1, state: 1, servicerUserId: 1, lastMessageAt: -1 });
// The idle sweep: the corps with open sessions (states 0–2) silent since a cutoff, then each corp's such sessions.
kfSessionSchema.index({ state: 1, lastMessageAt: 1 });
// The numbers: a corp's sessions started in a period (and the follow-ups 48 h after), and the corps the rollup visits.
kfSessionSchema.index({ corpId: 1, startedAt: 1 });

export const KF_REVIEW_REASONS = ['handover', 'unanswered'] as const;

export const kfReviewSchema = new Schema(
  {
    corpId: { type: String, required: true },
    sessionId: { type: String, required: true },
    question: { type: String, required: true },
    reason: { type: String, enum: KF_REVIEW_REASONS, required: true },
    /** What the matcher offered, best first. */
    candidates: { type: [{ entryId: String, question: String, score: Number, _id: false }], default: [] },
    status: { type: String, enum: ['open', 'promoted', 'dismissed'], default: 'open' },
    /** The entry it became (or was added to as a paraphrase). */
    entryId: { type: String, default: null },
    askedAt: { type: Date, required: true },
  },
  { collection: 'kf_review', timestamps: true, strict: 'throw' },
);
kfReviewSchema.index({ corpId: 1, status: 1, askedAt: -1 });
// A question is queued once per session even when its page is processed again.
kfReviewSchema.index({ corpId: 1, sessionId: 1, question: 1 }, { unique: true });
