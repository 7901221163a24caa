/**
 * The kf (微信客服) domain wired from its declared dependencies: the knowledge base, its settings and the
 * matcher. One match index per corp is cached in memory and rebuilt when the corp's kbRevision moved (any
 * knowledge or settings write, in any process) or it is older than INDEX_MAX_AGE_MS (store renames).
 */
import pino, { type Logger } from 'pino';
import type { InboundReactions } from '../channels/index.ts';
import type { EventsModule } from '../events/index.ts';
import type { OrgModule } from '../org/index.ts';
import type { TagsModule } from '../tags/index.ts';
import type { Clock } from '../shared/clock.ts';
import { BadRequestError } from '../errors.ts';
import { corpScope } from '../shared/scope.ts';
import type { KfModels } from './kf.models.ts';
import { KfSettingsRepository, type KfSettings, type KfSettingsRead, type KfSettingsInput } from './kf-settings.repository.ts';
import { checkKnowledgeRefs } from './knowledge-refs.ts';
import { readKnowledgeCsv, writeKnowledgeCsv, type CsvEncoding } from './knowledge-csv.ts';
import { KnowledgeRepository, type KnowledgeDto, type KnowledgeFilter, type KnowledgeInput, type KnowledgePage, type KnowledgePatch, type KnowledgeVersionDto } from './knowledge.repository.ts';
import { decide, type MatchResult } from './matcher/decide.ts';
import type { KnowledgeIndex, KnowledgeMatcher, MatchContext } from './matcher/knowledge-matcher.ts';
import { lexicalMatcher } from './matcher/lexical-matcher.ts';
import { AnswerTests, type AnswerExperiments } from './bot/answer-tests.ts';
import { KfBot } from './bot/kf-bot.ts';
import { KfDesk, type KfDeskPort } from './session/kf-desk.ts';
import { KfIdleSweep, type IdleEndOutcome } from './session/kf-idle.ts';
import { KfSessionRepository, type KfReviewDto, type KfSessionDto } from './session/kf-session.repository.ts';
import { KfNumbers, type KfStatsQuery, type KfStatsResult } from './numbers/kf-numbers.ts';
import { KfStatsDayRepository } from './numbers/kf-stats-day.repository.ts';
import { KfTicketRepository, type KfTicketDto } from './ticket/kf-ticket.repository.ts';
import type { TicketState } from './ticket/kf-ticket.schema.ts';

export type KfDeps = {
  models: KfModels;
  org: Pick<OrgModule, 'listStores' | 'timezoneOf'>;
  /** Checks the tag ids an entry applies to; without it they are stored unchecked. */
  tags?: Pick<TagsModule, 'assertExist'>;
  clock: Clock;
  /** The local lexical matcher unless another (an embedding model) is given. */
  matcher?: KnowledgeMatcher;
  /** Where kf messages arrive (the bot answers them); without it no bot runs. */
  reactions?: Pick<InboundReactions, 'on'>;
  /** The corp's WeCom adapter for the desk's sends and session moves. */
  kfPortFor?: (corpId: string) => Promise<KfDeskPort | null>;
  describeVendorError?: (errcode: number) => string;
  logger?: Logger;
  /** A/B tested answers (entries with variants) run as experiments; without both, entries send their main answer. */
  experiments?: AnswerExperiments;
  /** Where a tested answer's `kf.resolved` outcome is logged. */
  events?: Pick<EventsModule, 'append'>;
};

export type KnowledgeImportReport = { created: number; updated: number; unchanged: number; errors: Array<{ line: number; message: string }> };

export type KfModule = {
  createEntry(corpId: string, input: KnowledgeInput, actor: string): Promise<KnowledgeDto>;
  getEntry(corpId: string, id: string): Promise<KnowledgeDto>;
  listEntries(corpId: string, filter: KnowledgeFilter): Promise<KnowledgePage>;
  updateEntry(corpId: string, id: string, patch: KnowledgePatch, actor: string): Promise<KnowledgeDto>;
  deleteEntry(corpId: string, id: string): Promise<void>;
  setEnabled(corpId: string, ids: readonly string[], enabled: boolean): Promise<{ matched: number; modified: number }>;
  entryVersion(corpId: string, id: string, version: number): Promise<KnowledgeVersionDto>;
  importCsv(corpId: string, bytes: Buffer, actor: string, encoding?: CsvEncoding): Promise<KnowledgeImportReport>;
  exportCsv(corpId: string): Promise<Buffer>;
  getSettings(corpId: string): Promise<KfSettings>;
  /** Replaces the settings; an idle end limit left out keeps its value. */
  putSettings(corpId: string, settings: KfSettingsInput): Promise<KfSettings>;
  /** Ranks the corp's enabled entries for a customer's text and decides: answer, suggest or hand over. */
  match(corpId: string, text: string, ctx?: MatchContext): Promise<MatchResult>;
  /** The service desk: kf sessions by state, and the moves a servicer makes on one. */
  desk: {
    pool(corpId: string): Promise<KfSessionDto[]>;
    mine(corpId: string, userId: string): Promise<KfSessionDto[]>;
    session(corpId: string, id: string): Promise<KfSessionDto>;
    take(corpId: string, id: string, userId: string): Promise<KfSessionDto>;
    reply(corpId: string, id: string, userId: string, text: string): Promise<KfSessionDto>;
    transfer(corpId: string, id: string, userId: string, toUserId: string): Promise<KfSessionDto>;
    /** Ends the session; `category` is what the question was about (first-contact resolution counts per category). */
    end(corpId: string, id: string, userId: string, category?: string): Promise<KfSessionDto>;
    servicers(corpId: string, openKfId: string): Promise<{ userId: string; onDuty: boolean }[]>;
    /** The knowledge base's categories, for the end action's pick. */
    categories(corpId: string): Promise<string[]>;
  };
  /** The service numbers of the sessions that started in local days [from, to), per day, kf account or servicer. */
  stats(corpId: string, q: KfStatsQuery): Promise<KfStatsResult>;
  /** The nightly rollup of the numbers (kf_stats_daily): one past local day, or the recent days of the nightly run. */
  rollup: {
    day(corpId: string, day: string): Promise<unknown>;
    recent(corpId: string): Promise<string[]>;
    corps(): Promise<string[]>;
  };
  /** Questions the bot did not answer: promote a reply into a new entry or a paraphrase of one. */
  review: {
    list(corpId: string, status?: KfReviewDto['status']): Promise<KfReviewDto[]>;
    promote(corpId: string, id: string, to: { entryId: string } | { answer: string; category?: string }, actor: string): Promise<KnowledgeDto>;
    dismiss(corpId: string, id: string): Promise<void>;
  };
  /** The entries the greeting menu offers: most answered over the last 30 days, then the newest. */
  topQuestions(corpId: string, limit: number): Promise<KnowledgeDto[]>;
  /**
   * Settles A/B tested answers whose session ended (a conversion; the idle end decides when silence ends one) or
   * went to a person (none); the jobs run it every few minutes. Zeros when answers are not tested.
   */
  settleAnswerTests(now?: Date): Promise<{ resolved: number; handedOver: number }>;
  /**
   * Ends the sessions only the bot held, or left waiting in the pool, that fell silent for the corp's idle limits
   * (at WeCom first; a refusal keeps the session and is retried); the jobs run it every few minutes.
   */
  endIdleSessions(now?: Date): Promise<IdleEndOutcome>;
  /** Follow-up work raised from a session: an owner, a due time, created → assigned → handled → followed_up → closed. */
  tickets: {
    create(corpId: string, sessionId: string, input: { title: string; ownerStaffId: string; dueAt: Date }, by: string): Promise<KfTicketDto>;
    openFor(corpId: string, ownerStaffId: string): Promise<KfTicketDto[]>;
    ofSession(corpId: string, sessionId: string): Promise<KfTicketDto[]>;
    get(corpId: string, id: string): Promise<KfTicketDto>;
    move(corpId: string, id: string, to: TicketState, by: string, note?: string): Promise<KfTicketDto>;
  };
};

const DESK_LIST_LIMIT = 100;
/** The numbers are computed from the sessions themselves; a period with more is reported as truncated. */
const STATS_SESSION_LIMIT = 50_000;

/** Store names can change without a knowledge write; an index this old is rebuilt anyway. */
const INDEX_MAX_AGE_MS = 10 * 60_000;
/** The greeting menu counts answers of this many days. */
const TOP_QUESTIONS_DAYS = 30;

export function createKfModule(deps: KfDeps): KfModule {
  const entries = new KnowledgeRepository(deps.models, deps.clock);
  const settings = new KfSettingsRepository(deps.models);
  const matcher = deps.matcher ?? lexicalMatcher();
  const indexes = new Map<string, { revision: number; builtAt: number; index: Promise<KnowledgeIndex> }>();

  const indexOf = (corpId: string, s: KfSettingsRead): Promise<KnowledgeIndex> => {
    const now = deps.clock.now().getTime();
    const hit = indexes.get(corpId);
    if (hit && hit.revision === s.kbRevision && now - hit.builtAt < INDEX_MAX_AGE_MS) return hit.index;
    const index = (async () => {
      const [rows, stores] = await Promise.all([entries.matchables(corpId), deps.org.listStores(corpScope(corpId))]);
      return matcher.build(rows, { dictionary: [...s.dictionary, ...stores.map((st) => st.name)], synonyms: s.synonyms });
    })();
    indexes.set(corpId, { revision: s.kbRevision, builtAt: now, index });
    // A failed build is not cached.
    index.catch(() => indexes.get(corpId)?.index === index && indexes.delete(corpId));
    return index;
  };
  const sessions = new KfSessionRepository(deps.models, deps.clock);
  const tickets = new KfTicketRepository(deps.models, deps.clock);
  const desk = new KfDesk({
    sessions,
    portFor: deps.kfPortFor ?? (() => Promise.resolve(null)),
    describeVendorError: deps.describeVendorError ?? ((errcode) => `企业微信拒绝 (${errcode})`),
    receptionOf: async (corpId) => (await settings.get(corpId)).reception,
    clock: deps.clock,
  });
  const numbers = new KfNumbers({
    sessions,
    days: new KfStatsDayRepository(deps.models),
    versionCategories: (corpId, ids) => entries.versionCategories(corpId, ids),
    timeZoneOf: (corpId) => deps.org.timezoneOf(corpId),
    clock: deps.clock,
    sessionLimit: STATS_SESSION_LIMIT,
  });
  const written = async <T>(corpId: string, result: T): Promise<T> => {
    await settings.bump(corpId);
    return result;
  };
  const answerTests = deps.experiments && deps.events ? new AnswerTests({ models: deps.models, experiments: deps.experiments, events: deps.events, clock: deps.clock }) : null;
  /** An entry written with variants runs its experiment; one whose variants were removed (or deleted) stops it. */
  const tested = async (corpId: string, entry: KnowledgeDto, before?: KnowledgeDto): Promise<KnowledgeDto> => {
    if (answerTests && (entry.variants.length || before?.variants.length)) await answerTests.sync(corpId, entry.id, entry);
    return entry;
  };
  const idle = new KfIdleSweep({
    sessions,
    idleLimits: (corpIds) => settings.idleLimits(corpIds),
    portFor: deps.kfPortFor ?? (() => Promise.resolve(null)),
    ...(answerTests ? { answerTests } : {}),
    clock: deps.clock,
    logger: deps.logger ?? pino({ level: 'silent' }),
  });
  const checkRefs = (corpId: string, refs: { storeIds?: readonly string[] | undefined; tagIds?: readonly string[] | undefined }) => checkKnowledgeRefs(deps, corpId, refs);
  const topQuestions = (corpId: string, limit: number) => entries.mostAsked(corpId, new Date(deps.clock.now().getTime() - TOP_QUESTIONS_DAYS * 86_400_000), limit);

  const matchWith = async (corpId: string, text: string, s: KfSettingsRead, ctx?: MatchContext): Promise<MatchResult> => {
    const index = await indexOf(corpId, s);
    return decide(text, index.search(text, { ...ctx, limit: 5 }), s);
  };
  const match = async (corpId: string, text: string, ctx?: MatchContext): Promise<MatchResult> => matchWith(corpId, text, await settings.get(corpId), ctx);
  if (deps.reactions && deps.logger) {
    const bot = new KfBot({
      sessions,
      settingsOf: (corpId) => settings.get(corpId),
      match: (corpId, text, s) => matchWith(corpId, text, s),
      getEntry: (corpId, id) => entries.get(corpId, id),
      topQuestions,
      countAsked: (corpId, entryId, at) => entries.countAsked(corpId, entryId, at),
      ...(answerTests ? { answerTests } : {}),
      clock: deps.clock,
      logger: deps.logger,
    });
    deps.reactions.on('kf_message', { name: 'kf-bot', react: (facts) => bot.onMessage(facts) });
  }

  return {
    async createEntry(corpId, input, actor) {
      await checkRefs(corpId, input);
      return written(corpId, await tested(corpId, await entries.create(corpId, input, actor)));
    },
    getEntry: (corpId, id) => entries.get(corpId, id),
    listEntries: (corpId, filter) => entries.list(corpId, filter),
    async updateEntry(corpId, id, patch, actor) {
      await checkRefs(corpId, patch);
      const before = patch.variants ? await entries.get(corpId, id) : undefined;
      return written(corpId, await tested(corpId, await entries.update(corpId, id, patch, actor), before));
    },
    async deleteEntry(corpId, id) {
      await entries.remove(corpId, id);
      await answerTests?.sync(corpId, id, null);
      await settings.bump(corpId);
    },
    setEnabled: async (corpId, ids, enabled) => written(corpId, await entries.setEnabled(corpId, ids, enabled)),
    entryVersion: (corpId, id, version) => entries.version(corpId, id, version),
    async importCsv(corpId, bytes, actor, encoding) {
      const report: KnowledgeImportReport = { created: 0, updated: 0, unchanged: 0, errors: [] };
      // Rows go through the same create / update as the API, one by one: the import is as checked as the page.
      for (const row of readKnowledgeCsv(bytes, encoding)) {
        if ('error' in row) {
          report.errors.push({ line: row.line, message: row.error });
          continue;
        }
        try {
          await checkRefs(corpId, row.input);
        } catch (err) {
          if (!(err instanceof BadRequestError)) throw err;
          report.errors.push({ line: row.line, message: err.message });
          continue;
        }
        const twin = await entries.findByQuestion(corpId, row.input.question);
        // A row with variants runs (or, emptied, stops) its answer test like an entry written on the page.
        if (!twin) {
          await tested(corpId, await entries.create(corpId, row.input, actor));
          report.created++;
          continue;
        }
        // The CSV carries no attachments, stores or tags: an entry keeps its own.
        const after = await tested(corpId, await entries.update(corpId, twin.id, { ...row.input, answer: { text: row.input.answer.text, attachments: twin.answer.attachments } }, actor), twin);
        if (after.version !== twin.version || after.enabled !== twin.enabled) report.updated++;
        else report.unchanged++;
      }
      if (report.created || report.updated) await settings.bump(corpId);
      return report;
    },
    exportCsv: async (corpId) => writeKnowledgeCsv(await entries.all(corpId)),
    async getSettings(corpId) {
      const { kbRevision: _revision, ...s } = await settings.get(corpId);
      return s;
    },
    async putSettings(corpId, s) {
      await settings.put(corpId, s);
      const { kbRevision: _revision, ...stored } = await settings.get(corpId);
      return stored;
    },
    match,
    desk: {
      pool: (corpId) => sessions.list(corpId, { states: [2], limit: DESK_LIST_LIMIT }),
      mine: (corpId, userId) => sessions.list(corpId, { states: [3], servicerUserId: userId, limit: DESK_LIST_LIMIT }),
      session: (corpId, id) => sessions.get(corpId, id),
      take: (corpId, id, userId) => desk.take(corpId, id, userId),
      reply: (corpId, id, userId, text) => desk.reply(corpId, id, userId, text),
      transfer: (corpId, id, userId, toUserId) => desk.transfer(corpId, id, userId, toUserId),
      end: (corpId, id, userId, category) => desk.end(corpId, id, userId, category),
      servicers: (corpId, openKfId) => desk.servicers(corpId, openKfId),
      categories: async (corpId) => [...new Set((await entries.all(corpId)).map((e) => e.category).filter(Boolean))].sort((a, b) => a.localeCompare(b, 'zh-CN')),
    },
    stats: (corpId, q) => numbers.stats(corpId, q),
    rollup: {
      day: (corpId, day) => numbers.rollupDay(corpId, day),
      recent: (corpId) => numbers.rollupRecent(corpId),
      corps: () => numbers.corpsToRollUp(),
    },
    review: {
      list: (corpId, status = 'open') => sessions.listReview(corpId, status, DESK_LIST_LIMIT),
      async promote(corpId, id, to, actor) {
        const item = await sessions.getReview(corpId, id);
        let entry: KnowledgeDto;
        if ('entryId' in to) {
          const current = await entries.get(corpId, to.entryId);
          entry = await entries.update(corpId, current.id, { similar: [...new Set([...current.similar, item.question])] }, actor);
        } else {
          entry = await entries.create(corpId, { question: item.question, answer: { text: to.answer }, ...(to.category ? { category: to.category } : {}) }, actor);
        }
        await settings.bump(corpId);
        await sessions.settleReview(corpId, id, 'promoted', entry.id);
        return entry;
      },
      dismiss: (corpId, id) => sessions.getReview(corpId, id).then((item) => sessions.settleReview(corpId, item.id, 'dismissed', null)),
    },
    topQuestions,
    settleAnswerTests: (now) => answerTests?.sweep(now) ?? Promise.resolve({ resolved: 0, handedOver: 0 }),
    endIdleSessions: (now) => idle.sweep(now),
    tickets: {
      async create(corpId, sessionId, input, by) {
        // The session must exist in this corp (a 404 otherwise).
        const session = await sessions.get(corpId, sessionId);
        return tickets.create(corpId, { sessionId: session.id, ...input }, by);
      },
      openFor: (corpId, ownerStaffId) => tickets.openFor(corpId, ownerStaffId, DESK_LIST_LIMIT),
      ofSession: (corpId, sessionId) => tickets.ofSession(corpId, sessionId),
      get: (corpId, id) => tickets.get(corpId, id),
      move: (corpId, id, to, by, note) => tickets.move(corpId, id, to, by, note),
    },
  };
}

