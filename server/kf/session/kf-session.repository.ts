/**
 * kf sessions and the review queue. A customer has at most one session not ended per kf account; the bot and
 * the desk move it through 0 → 1 → 2 → 3 → 4 and append what was said.
 */
import { isValidObjectId, Types } from 'mongoose';
import { InsertBatcher } from '../../db/insert-batcher.ts';
import { UpdateBatcher } from '../../db/update-batcher.ts';
import { NotFoundError } from '../../errors.ts';
import { toObjectId } from '../../shared/object-id.ts';
import type { Clock } from '../../shared/clock.ts';
import type { KfModels } from '../kf.models.ts';

export type KfSessionState = 0 | 1 | 2 | 3 | 4;
export type KfSpeaker = 'customer' | 'bot' | 'servicer' | 'system';
export type KfEndReason = 'servicer' | 'idle';
export type KfSessionMessage = {
  msgId: string;
  from: KfSpeaker;
  text: string;
  at: Date;
  entryId: string | null;
  entryVersion: number | null;
  menuId: string | null;
  servicerUserId: string | null;
};
export type KfSessionDto = {
  id: string;
  openKfId: string;
  externalUserId: string;
  contactId: string | null;
  state: KfSessionState;
  servicerUserId: string | null;
  startedAt: Date;
  lastMessageAt: Date;
  firstBotResponseAt: Date | null;
  handedOverAt: Date | null;
  takenAt: Date | null;
  firstHumanResponseAt: Date | null;
  endedAt: Date | null;
  /** 'servicer' (the desk or the WeCom client) or 'idle' (the idle sweep); null while open. */
  endReason: KfEndReason | null;
  rating: number | null;
  /** The question category the servicer picked when ending, if any. */
  category: string | null;
  suggestions: number;
  suggestionClicks: number;
  botAnswers: number;
  /**
   * Whether the bot answered from an A/B tested entry (tests to settle at a handover). False from the session's
   * start; null for a session stored before the mark was kept (it may have tests).
   */
  answerTested: boolean | null;
  messages: KfSessionMessage[];
};
/** What a state change or an event sets on the session. */
export type KfSessionPatch = Partial<Pick<KfSessionDto, 'state' | 'servicerUserId' | 'firstBotResponseAt' | 'handedOverAt' | 'takenAt' | 'firstHumanResponseAt' | 'endedAt' | 'endReason' | 'rating' | 'category'>> & {
  msgCode?: string | null;
};
export type KfCounter = 'suggestions' | 'suggestionClicks' | 'botAnswers';

export type KfReviewDto = {
  id: string;
  sessionId: string;
  question: string;
  reason: 'handover' | 'unanswered';
  candidates: { entryId: string; question: string; score: number }[];
  status: 'open' | 'promoted' | 'dismissed';
  entryId: string | null;
  askedAt: Date;
};

/** A session as the numbers read it: no messages, the entries (`entryId@version`) the bot answered from. */
export type KfStatsSessionDto = Omit<KfSessionDto, 'messages'> & { answered: string[] };

type SessionRow = Omit<KfSessionDto, 'id'> & { _id: Types.ObjectId; msgCode: string | null };
type ReviewRow = Omit<KfReviewDto, 'id'> & { _id: Types.ObjectId };

/** The desk shows this many messages of a conversation; older ones stay stored. */
const MESSAGES_SHOWN = 200;

export class KfSessionRepository {
  /**
   * The bot answers several customers at once (wecom-kf.handler.ts); their sessions' state changes, what the bot
   * said and the review queue's rows go to the database together, one command for what is asked meanwhile.
   */
  private readonly updates: UpdateBatcher;
  private readonly reviews: InsertBatcher;

  constructor(
    private readonly models: Pick<KfModels, 'KfSession' | 'KfReview'>,
    private readonly clock: Clock,
  ) {
    this.updates = new UpdateBatcher(() => models.KfSession.db.db!, models.KfSession.collection.collectionName);
    this.reviews = new InsertBatcher(() => models.KfReview.db.db!, models.KfReview.collection.collectionName);
  }

  /** The customer's session not ended on this account, opened (state 0) when there is none. */
  async open(corpId: string, openKfId: string, externalUserId: string, contactId: string | null, at: Date): Promise<KfSessionDto> {
    const filter = { corpId, openKfId, externalUserId, endedAt: null };
    const row = await this.models.KfSession.findOneAndUpdate(
      filter,
      { $setOnInsert: newSession(at), ...(contactId ? { $set: { contactId } } : {}) },
      { upsert: true, returnDocument: 'after' },
    ).lean<SessionRow>();
    return dto(row!);
  }

  /**
   * open() and claimAndAppend() of the message that arrives: a session opened by it starts with the message in it
   * (one write, claimed); an open session gets it appended once. `claimed` is false when the message was handled
   * before (nothing written).
   */
  async openWith(corpId: string, openKfId: string, externalUserId: string, contactId: string | null, message: NewMessage): Promise<{ session: KfSessionDto; claimed: boolean }> {
    const res = await this.models.KfSession.findOneAndUpdate(
      { corpId, openKfId, externalUserId, endedAt: null },
      {
        $setOnInsert: { ...newSession(message.at), messages: [fullMessage(message)], seen: [message.msgId] },
        ...(contactId ? { $set: { contactId } } : {}),
      },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
    );
    const session = dto(res.value as unknown as SessionRow);
    if (!res.lastErrorObject?.updatedExisting) return { session, claimed: true };
    return { session, claimed: await this.claimAndAppend(corpId, session.id, message) };
  }

  /** The customer's latest session on the account, ended or not. */
  async latest(corpId: string, openKfId: string, externalUserId: string): Promise<KfSessionDto | null> {
    const row = await this.models.KfSession.findOne({ corpId, openKfId, externalUserId }).sort({ startedAt: -1, _id: -1 }).lean<SessionRow>();
    return row ? dto(row) : null;
  }

  /** True the first time a message id is claimed for a session: a re-processed page acts once. */
  async claim(corpId: string, sessionId: string, msgId: string): Promise<boolean> {
    const r = await this.models.KfSession.updateOne({ corpId, _id: sessionId, seen: { $ne: msgId } }, { $push: { seen: msgId } });
    return r.modifiedCount === 1;
  }

  async append(corpId: string, sessionId: string, message: NewMessage): Promise<void> {
    await this.models.KfSession.updateOne({ corpId, _id: sessionId }, { $push: { messages: fullMessage(message) }, $max: { lastMessageAt: message.at } });
  }

  /**
   * claim() and append() of an arriving message in one write: true the first time, with the message in the
   * conversation; false when the message was handled before (nothing written). A crash can no longer leave a
   * message claimed and missing from the conversation.
   */
  async claimAndAppend(corpId: string, sessionId: string, message: NewMessage): Promise<boolean> {
    const r = await this.models.KfSession.updateOne(
      { corpId, _id: sessionId, seen: { $ne: message.msgId } },
      { $push: { seen: message.msgId, messages: fullMessage(message) }, $max: { lastMessageAt: message.at } },
    );
    return r.modifiedCount === 1;
  }

  /** Sets the patch and moves the counters (first response times are markFirst's: set once, never moved). */
  async update(corpId: string, sessionId: string, patch: KfSessionPatch, inc: Partial<Record<KfCounter, number>> = {}): Promise<void> {
    const set: Record<string, unknown> = { updatedAt: this.clock.now() };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v;
    await this.updates.update({ q: { corpId, _id: sessionObjectId(sessionId) }, u: { $set: set, ...(Object.keys(inc).length ? { $inc: inc } : {}) } });
  }

  /**
   * What the bot said, in one command: the message appended, counters moved, the first bot response marked unless
   * it is set already; `tested` marks the session as answered from an A/B tested entry.
   */
  async botSaid(corpId: string, sessionId: string, message: NewMessage, inc: Partial<Record<KfCounter, number>> = {}, tested = false): Promise<void> {
    const _id = sessionObjectId(sessionId);
    const set = { updatedAt: this.clock.now(), ...(tested ? { answerTested: true } : {}) };
    // Two statements of one batch: the mark does not depend on the append, so their order does not matter.
    await Promise.all([
      this.updates.update({ q: { corpId, _id }, u: { $push: { messages: fullMessage(message) }, $max: { lastMessageAt: message.at }, $set: set, ...(Object.keys(inc).length ? { $inc: inc } : {}) } }),
      this.updates.update({ q: { corpId, _id, firstBotResponseAt: null }, u: { $set: { firstBotResponseAt: message.at } } }),
    ]);
  }

  /** Sets a first-time mark (first bot / human response) unless it is already set. */
  async markFirst(corpId: string, sessionId: string, field: 'firstBotResponseAt' | 'firstHumanResponseAt', at: Date): Promise<void> {
    await this.models.KfSession.updateOne({ corpId, _id: sessionId, [field]: null }, { $set: { [field]: at } });
  }

  /** The msg_code kept from the last state change, taken (cleared) so it is used once. */
  async takeMsgCode(corpId: string, sessionId: string): Promise<string | null> {
    const row = await this.models.KfSession.findOneAndUpdate({ corpId, _id: sessionId, msgCode: { $ne: null } }, { $set: { msgCode: null } }).lean<SessionRow>();
    return row?.msgCode ?? null;
  }

  async get(corpId: string, id: string): Promise<KfSessionDto> {
    const row = isValidObjectId(id) ? await this.models.KfSession.findOne({ corpId, _id: id }, { seen: 0 }).lean<SessionRow>() : null;
    if (!row) throw new NotFoundError('kf session', id);
    return { ...dto(row), messages: dto(row).messages.slice(-MESSAGES_SHOWN) };
  }

  /** Sessions in the given states (and of one servicer), most recent first, without their messages (lists stay small). */
  async list(corpId: string, filter: { states: KfSessionState[]; servicerUserId?: string; limit: number }): Promise<KfSessionDto[]> {
    const q: Record<string, unknown> = { corpId, state: { $in: filter.states } };
    if (filter.servicerUserId !== undefined) q.servicerUserId = filter.servicerUserId;
    const rows = await this.models.KfSession.find(q, { messages: 0, seen: 0 }).sort({ lastMessageAt: -1 }).limit(filter.limit).lean<SessionRow[]>();
    return rows.map(dto);
  }

  /**
   * Sessions that started in [from, to), oldest first, at most `limit`, without their messages but with the
   * knowledge entries (entryId@version) the bot answered from: what the session was about.
   */
  async forStats(corpId: string, from: Date, to: Date, limit: number): Promise<KfStatsSessionDto[]> {
    const rows = await this.models.KfSession.find({ corpId, startedAt: { $gte: from, $lt: to } }, { seen: 0, 'messages.text': 0 })
      .sort({ startedAt: 1, _id: 1 })
      .limit(limit)
      .lean<SessionRow[]>();
    return rows.map((row) => {
      const { messages, ...rest } = dto(row);
      const answered = [...new Set(messages.flatMap((m) => (m.from === 'bot' && m.entryId ? [`${m.entryId}@${m.entryVersion ?? 1}`] : [])))];
      return { ...rest, answered };
    });
  }

  /** Corps with a session started since `since` (the nightly rollup visits these). */
  async corpsWithSessionsSince(since: Date): Promise<string[]> {
    return this.models.KfSession.distinct('corpId', { startedAt: { $gte: since } });
  }

  /** Corps with a session in one of `states` whose last message is at or before `silentSince` (the idle sweep's visit list). */
  async corpsWithSilent(states: readonly KfSessionState[], silentSince: Date): Promise<string[]> {
    return this.models.KfSession.distinct('corpId', { state: { $in: [...states] }, lastMessageAt: { $lte: silentSince } });
  }

  /**
   * Claims up to `limit` sessions of the corp in `states` silent since `silentSince` for an idle end, each until
   * `claimUntil`: another sweep (a second scheduler) skips a claimed session, and a claim left by a dead worker
   * lapses. One claimed at a time, so two sweeps never hold the same session.
   */
  async claimSilent(corpId: string, states: readonly KfSessionState[], silentSince: Date, now: Date, claimUntil: Date, limit: number): Promise<KfSessionDto[]> {
    const claimed: KfSessionDto[] = [];
    while (claimed.length < limit) {
      const row = await this.models.KfSession.findOneAndUpdate(
        { corpId, state: { $in: [...states] }, endedAt: null, lastMessageAt: { $lte: silentSince }, $or: [{ idleEndNotBefore: null }, { idleEndNotBefore: { $lte: now } }] },
        { $set: { idleEndNotBefore: claimUntil } },
        { sort: { lastMessageAt: 1 }, returnDocument: 'after', projection: { messages: 0, seen: 0 } },
      ).lean<SessionRow>();
      if (!row) break;
      claimed.push(dto(row));
    }
    return claimed;
  }

  /**
   * Ends a claimed session for its silence, at its last message (when the conversation stopped, so resolution
   * time is not stretched by the wait). False when a customer wrote meanwhile: the session goes on.
   */
  async endIdle(corpId: string, sessionId: string, silentSince: Date): Promise<KfSessionDto | null> {
    const row = await this.models.KfSession.findOne({ corpId, _id: sessionId, endedAt: null }, { lastMessageAt: 1 }).lean<Pick<SessionRow, '_id' | 'lastMessageAt'>>();
    if (!row) return null;
    const res = await this.models.KfSession.findOneAndUpdate(
      { corpId, _id: sessionId, endedAt: null, lastMessageAt: { $lte: silentSince } },
      { $set: { state: 4, endedAt: row.lastMessageAt, endReason: 'idle', msgCode: null, idleEndNotBefore: null, idleEndFailure: null } },
      { returnDocument: 'after', projection: { messages: 0, seen: 0 } },
    ).lean<SessionRow>();
    if (!res) await this.models.KfSession.updateOne({ corpId, _id: sessionId }, { $set: { idleEndNotBefore: null } });
    return res ? dto(res) : null;
  }

  /** WeCom refused (or could not be asked) to end the session: it stays as it is until `retryAt`, with the reason kept. */
  async idleEndRefused(corpId: string, sessionId: string, failure: { at: Date; errcode: number | null }, retryAt: Date): Promise<void> {
    await this.models.KfSession.updateOne({ corpId, _id: sessionId, endedAt: null }, { $set: { idleEndNotBefore: retryAt, idleEndFailure: failure } });
  }

  /** Queues a question once per session. */
  async queueReview(corpId: string, input: Omit<KfReviewDto, 'id' | 'status' | 'entryId'>): Promise<void> {
    const now = this.clock.now();
    // Every field of the schema spelled out: a handover's hot path skips mongoose's document pipeline.
    const row = {
      _id: new Types.ObjectId(),
      corpId,
      sessionId: input.sessionId,
      question: input.question,
      reason: input.reason,
      candidates: input.candidates.map((c) => ({ entryId: c.entryId, question: c.question, score: c.score })),
      status: 'open',
      entryId: null,
      askedAt: input.askedAt,
      createdAt: now,
      updatedAt: now,
    };
    // A duplicate is the same question of the same session queued before: nothing to do.
    await this.reviews.insert(row);
  }

  async listReview(corpId: string, status: KfReviewDto['status'], limit: number): Promise<KfReviewDto[]> {
    const rows = await this.models.KfReview.find({ corpId, status }).sort({ askedAt: -1 }).limit(limit).lean<ReviewRow[]>();
    return rows.map(reviewDto);
  }

  async getReview(corpId: string, id: string): Promise<KfReviewDto> {
    const row = isValidObjectId(id) ? await this.models.KfReview.findOne({ corpId, _id: id }).lean<ReviewRow>() : null;
    if (!row) throw new NotFoundError('kf review item', id);
    return reviewDto(row);
  }

  async settleReview(corpId: string, id: string, status: 'promoted' | 'dismissed', entryId: string | null): Promise<void> {
    await this.models.KfReview.updateOne({ corpId, _id: id }, { $set: { status, entryId, updatedAt: this.clock.now() } });
  }
}

function dto(row: SessionRow): KfSessionDto {
  return {
    id: String(row._id),
    openKfId: row.openKfId,
    externalUserId: row.externalUserId,
    contactId: row.contactId ?? null,
    state: row.state,
    servicerUserId: row.servicerUserId ?? null,
    startedAt: row.startedAt,
    lastMessageAt: row.lastMessageAt,
    firstBotResponseAt: row.firstBotResponseAt ?? null,
    handedOverAt: row.handedOverAt ?? null,
    takenAt: row.takenAt ?? null,
    firstHumanResponseAt: row.firstHumanResponseAt ?? null,
    endedAt: row.endedAt ?? null,
    endReason: row.endReason ?? null,
    rating: row.rating ?? null,
    category: row.category ?? null,
    suggestions: row.suggestions ?? 0,
    suggestionClicks: row.suggestionClicks ?? 0,
    botAnswers: row.botAnswers ?? 0,
    answerTested: row.answerTested ?? null,
    messages: (row.messages ?? []).map((m) => ({ ...m })),
  };
}

function reviewDto(row: ReviewRow): KfReviewDto {
  return {
    id: String(row._id),
    sessionId: row.sessionId,
    question: row.question,
    reason: row.reason,
    candidates: row.candidates ?? [],
    status: row.status,
    entryId: row.entryId ?? null,
    askedAt: row.askedAt,
  };
}

type NewMessage = Omit<KfSessionMessage, 'entryId' | 'entryVersion' | 'menuId' | 'servicerUserId'> & Partial<KfSessionMessage>;

function fullMessage(message: NewMessage): KfSessionMessage {
  return { entryId: null, entryVersion: null, menuId: null, servicerUserId: null, ...message };
}

/** What a session opened at `at` starts with (the rest are the schema's defaults). */
function newSession(at: Date) {
  return { state: 0, startedAt: at, lastMessageAt: at, answerTested: false };
}

/** A session id as stored; an id that cannot be one names no session. */
function sessionObjectId(sessionId: string): Types.ObjectId {
  const _id = toObjectId(sessionId);
  if (!_id) throw new NotFoundError('kf session', sessionId);
  return _id;
}
