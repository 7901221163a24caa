/**
 * The 微信客服 bot: greets a customer who enters with the menu of top questions, answers what the knowledge
 * base answers, offers 「您是不是想问」 when unsure, and hands the rest to the pool (待接入池) for a person.
 * WeCom's own 智能回复 stops once an API routes sessions, so this is the only automatic answer the customer gets.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter, KfMessage, KfOutMessage } from '../../../adapters/channel-adapter.ts';
import type { KfMessageFacts } from '../../channels/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { KfSettingsRead } from '../kf-settings.repository.ts';
import type { KnowledgeDto } from '../knowledge.repository.ts';
import type { MatchResult } from '../matcher/decide.ts';
import type { KfCounter, KfSessionDto, KfSessionRepository } from '../session/kf-session.repository.ts';
import type { AnswerTests } from './answer-tests.ts';

export type KfPort = Pick<ChannelAdapter, 'sendKfMessage' | 'sendKfEventMessage' | 'transKfState'>;

export type KfBotDeps = {
  sessions: KfSessionRepository;
  /** The corp's kf settings, read once per message: the matcher's thresholds and who receives a handover. */
  settingsOf(corpId: string): Promise<KfSettingsRead>;
  match(corpId: string, text: string, settings: KfSettingsRead): Promise<MatchResult>;
  getEntry(corpId: string, id: string): Promise<KnowledgeDto>;
  /** The questions the greeting menu offers, most asked first. */
  topQuestions(corpId: string, limit: number): Promise<KnowledgeDto[]>;
  /** Counts an answer of an entry for the greeting menu. */
  countAsked(corpId: string, entryId: string, at: Date): Promise<void>;
  /** A/B tested answers; without it every entry sends its main answer. */
  answerTests?: Pick<AnswerTests, 'pick' | 'exposed' | 'handedOver' | 'ended'>;
  clock: Clock;
  logger: Logger;
};

export const GREETING = '您好，我是智能助手，请问有什么可以帮您？您可以点选下面的常见问题，或直接输入。';
export const SUGGEST_HEAD = '您是不是想问：';
export const SUGGEST_TAIL = '都不是？回复「人工」转人工客服。';
export const HANDOVER_TEXT = '正在为您转接人工客服，请稍候。';
export const SURVEY_HEAD = '本次服务已结束，请为我们的服务评价：';
/** Click ids: a knowledge entry, and a satisfaction answer (3 很满意, 2 满意, 1 不满意). */
export const ENTRY_CLICK = 'kb:';
export const RATING_CLICK = 'rate:';
export const RATINGS = [
  { value: 3, text: '很满意' },
  { value: 2, text: '满意' },
  { value: 1, text: '不满意' },
] as const;
const GREETING_QUESTIONS = 5;

export function surveyMenu(): KfOutMessage {
  return { type: 'menu', head: SURVEY_HEAD, items: RATINGS.map((r) => ({ id: `${RATING_CLICK}${r.value}`, text: r.text })) };
}

export class KfBot {
  constructor(private readonly deps: KfBotDeps) {}

  async onMessage(facts: KfMessageFacts): Promise<void> {
    const { corpId, message: m } = facts.event;
    if (!m.externalUserId) return;
    const port = facts.adapter;
    if (m.origin === 'system') return this.onEvent(corpId, m, m.externalUserId, facts.contactId, port);
    if (m.origin === 'servicer') return this.onServicerMessage(corpId, m, m.externalUserId, facts.contactId);
    return this.onCustomerMessage(corpId, m, m.externalUserId, facts.contactId, port);
  }

  private async onEvent(corpId: string, m: KfMessage, externalUserId: string, contactId: string | null, port: KfPort): Promise<void> {
    const event = (m.raw.event ?? {}) as { event_type?: string; welcome_code?: string };
    if (event.event_type === 'session_status_change') return this.onStatusChange(corpId, m, externalUserId, contactId);
    if (event.event_type !== 'enter_session') return;
    const { sessions } = this.deps;
    const { session, claimed } = await sessions.openWith(corpId, m.openKfId, externalUserId, contactId, { msgId: m.msgId, from: 'system', text: '进入会话 entered the session', at: m.sentAt });
    if (!claimed) return;
    if (session.state === 0) await this.toBot(corpId, session, port);
    if (!event.welcome_code || !port.sendKfEventMessage) return;
    const top = await this.deps.topQuestions(corpId, GREETING_QUESTIONS);
    const greeting: KfOutMessage = top.length
      ? { type: 'menu', head: GREETING, items: top.map((e) => ({ id: `${ENTRY_CLICK}${e.id}`, text: e.question })) }
      : { type: 'text', text: GREETING };
    const sent = await port.sendKfEventMessage(event.welcome_code, greeting);
    await this.said(corpId, session.id, sent.msgId, textOf(greeting));
  }

  /**
   * A servicer moved the session in the WeCom client (took it from WeCom's own pool, passed it on, ended it):
   * the desk follows, so it never offers a session someone already has.
   */
  private async onStatusChange(corpId: string, m: KfMessage, externalUserId: string, contactId: string | null): Promise<void> {
    const event = (m.raw.event ?? {}) as { change_type?: number; new_servicer_userid?: string };
    const { sessions, clock } = this.deps;
    const session = await sessions.open(corpId, m.openKfId, externalUserId, contactId, m.sentAt);
    if (!(await sessions.claim(corpId, session.id, m.msgId))) return;
    if (event.change_type === 1 || event.change_type === 2) {
      const taken = event.change_type === 1 ? { takenAt: m.sentAt } : {};
      await sessions.update(corpId, session.id, { state: 3, servicerUserId: event.new_servicer_userid ?? null, ...taken });
      // A person has the customer now, whoever handed them over.
      await this.deps.answerTests?.handedOver(corpId, session.id);
    } else if (event.change_type === 3) {
      const endedAt = clock.now();
      await sessions.update(corpId, session.id, { state: 4, endedAt, endReason: 'servicer' });
      await this.deps.answerTests?.ended(corpId, session.id, endedAt);
    }
  }

  private async onServicerMessage(corpId: string, m: KfMessage, externalUserId: string, contactId: string | null): Promise<void> {
    const { sessions } = this.deps;
    const servicer = typeof m.raw.servicer_userid === 'string' ? m.raw.servicer_userid : null;
    const { session, claimed } = await sessions.openWith(corpId, m.openKfId, externalUserId, contactId, { msgId: m.msgId, from: 'servicer', text: m.text ?? `[${m.msgType}]`, at: m.sentAt, servicerUserId: servicer });
    if (!claimed) return;
    await sessions.markFirst(corpId, session.id, 'firstHumanResponseAt', m.sentAt);
  }

  private async onCustomerMessage(corpId: string, m: KfMessage, externalUserId: string, contactId: string | null, port: KfPort): Promise<void> {
    const { sessions } = this.deps;
    const menuId = ((m.raw.text ?? {}) as { menu_id?: string }).menu_id ?? null;
    if (menuId?.startsWith(RATING_CLICK)) return this.onRating(corpId, m, externalUserId, menuId);
    const text = m.text ?? '';
    const { session, claimed } = await sessions.openWith(corpId, m.openKfId, externalUserId, contactId, { msgId: m.msgId, from: 'customer', text: text || `[${m.msgType}]`, at: m.sentAt, menuId });
    if (!claimed) return;
    // In the pool or with a servicer, a person answers.
    if (session.state >= 2) return;
    if (menuId?.startsWith(ENTRY_CLICK)) {
      const entry = await this.deps.getEntry(corpId, menuId.slice(ENTRY_CLICK.length)).catch(() => null);
      if (entry?.enabled) return this.answer(corpId, session, m, entry, port, { suggestionClicks: 1 });
    }
    const settings = await this.deps.settingsOf(corpId);
    if (!text.trim()) return this.handOver(corpId, session, m, text, 'unanswered', [], port, settings);
    const result = await this.deps.match(corpId, text, settings);
    if (result.decision === 'answer') {
      const entry = await this.deps.getEntry(corpId, result.candidates[0]!.entryId);
      return this.answer(corpId, session, m, entry, port, {});
    }
    if (result.decision === 'suggest') return this.suggest(corpId, session, m, result, port);
    return this.handOver(corpId, session, m, text, result.keyword ? 'handover' : 'unanswered', result.candidates, port, settings);
  }

  private async onRating(corpId: string, m: KfMessage, externalUserId: string, menuId: string): Promise<void> {
    const value = Number(menuId.slice(RATING_CLICK.length));
    if (!RATINGS.some((r) => r.value === value)) return;
    const { sessions } = this.deps;
    const session = await sessions.latest(corpId, m.openKfId, externalUserId);
    if (!session || session.state !== 4) return;
    if (!(await sessions.claimAndAppend(corpId, session.id, { msgId: m.msgId, from: 'customer', text: m.text ?? '', at: m.sentAt, menuId }))) return;
    await sessions.update(corpId, session.id, { rating: value });
  }

  private async answer(corpId: string, session: KfSessionDto, m: KfMessage, entry: KnowledgeDto, port: KfPort, inc: { suggestionClicks?: number }): Promise<void> {
    if (!port.sendKfMessage) return;
    if (session.state === 0) await this.toBot(corpId, session, port);
    const { answerTests } = this.deps;
    const picked = session.contactId && answerTests ? await answerTests.pick(corpId, session.contactId, entry) : null;
    const text = picked?.text ?? entry.answer.text;
    let sent: { msgId: string };
    try {
      sent = await port.sendKfMessage({ openKfId: m.openKfId, externalUserId: session.externalUserId, msgId: `${m.msgId}:answer`, message: { type: 'text', text } });
    } catch (err) {
      // The window is spent (5 messages) or closed: a person has to pick it up.
      this.deps.logger.warn({ err, sessionId: session.id }, 'kf bot could not answer; handing over');
      return this.handOver(corpId, session, m, m.text ?? '', 'unanswered', [], port);
    }
    const at = this.deps.clock.now();
    await this.deps.sessions.botSaid(corpId, session.id, { msgId: sent.msgId, from: 'bot', text, at, entryId: entry.id, entryVersion: entry.version }, { botAnswers: 1, ...inc }, picked !== null);
    await this.deps.countAsked(corpId, entry.id, at);
    if (picked && session.contactId && answerTests) await answerTests.exposed(corpId, picked, { contactId: session.contactId, entryId: entry.id, sessionId: session.id, at });
  }

  private async suggest(corpId: string, session: KfSessionDto, m: KfMessage, result: MatchResult, port: KfPort): Promise<void> {
    if (!port.sendKfMessage) return;
    if (session.state === 0) await this.toBot(corpId, session, port);
    const menu: KfOutMessage = { type: 'menu', head: SUGGEST_HEAD, items: result.candidates.map((c) => ({ id: `${ENTRY_CLICK}${c.entryId}`, text: c.question })), tail: SUGGEST_TAIL };
    const sent = await port.sendKfMessage({ openKfId: m.openKfId, externalUserId: session.externalUserId, msgId: `${m.msgId}:suggest`, message: menu });
    await this.said(corpId, session.id, sent.msgId, textOf(menu), { suggestions: 1 });
  }

  private async handOver(corpId: string, session: KfSessionDto, m: KfMessage, question: string, reason: 'handover' | 'unanswered', candidates: MatchResult['candidates'], port: KfPort, settings?: KfSettingsRead): Promise<void> {
    const { sessions, clock } = this.deps;
    if (!port.transKfState) return;
    // In desk mode the pool is ours: WeCom keeps the session at 1 so the agent's replies can be send_msg.
    const native = (settings ?? (await this.deps.settingsOf(corpId))).reception === 'wecom_client';
    // Our state goes to 2 just below: only WeCom's needs moving to 1 here.
    if (!native && session.state === 0) await this.toBot(corpId, session, port, false);
    const { msgCode } = native ? await port.transKfState({ openKfId: m.openKfId, externalUserId: session.externalUserId, state: 2 }) : { msgCode: undefined };
    await sessions.update(corpId, session.id, { state: 2, handedOverAt: clock.now() });
    // Only a session the bot answered from a tested entry has tests to settle.
    if (session.answerTested !== false) await this.deps.answerTests?.handedOver(corpId, session.id);
    await sessions.queueReview(corpId, {
      sessionId: session.id,
      question: question || `[${m.msgType}]`,
      reason,
      candidates: candidates.map((c) => ({ entryId: c.entryId, question: c.question, score: c.score })),
      askedAt: m.sentAt,
    });
    // The pool's 回复语 code sends text only, once.
    if (msgCode && port.sendKfEventMessage) {
      const sent = await port.sendKfEventMessage(msgCode, { type: 'text', text: HANDOVER_TEXT });
      await this.said(corpId, session.id, sent.msgId, HANDOVER_TEXT);
    } else if (!native && port.sendKfMessage) {
      try {
        const sent = await port.sendKfMessage({ openKfId: m.openKfId, externalUserId: session.externalUserId, msgId: `${m.msgId}:handover`, message: { type: 'text', text: HANDOVER_TEXT } });
        await this.said(corpId, session.id, sent.msgId, HANDOVER_TEXT);
      } catch (err) {
        // A spent window only costs the notice; the session is in the pool either way.
        this.deps.logger.warn({ err, sessionId: session.id }, 'kf handover notice not sent');
      }
    }
  }

  /** Moves the session to 智能助手 at WeCom, and in our record unless the caller writes the state itself (`record` false). */
  private async toBot(corpId: string, session: KfSessionDto, port: KfPort, record = true): Promise<void> {
    if (!port.transKfState) return;
    try {
      await port.transKfState({ openKfId: session.openKfId, externalUserId: session.externalUserId, state: 1 });
    } catch (err) {
      // WeCom may already have the session with the bot (a session older than this record): sending still works in 0 and 1.
      this.deps.logger.warn({ err, sessionId: session.id }, 'kf session could not move to 智能助手; answering anyway');
    }
    if (record) await this.deps.sessions.update(corpId, session.id, { state: 1 });
    session.state = 1;
  }

  private async said(corpId: string, sessionId: string, msgId: string, text: string, inc: Partial<Record<KfCounter, number>> = {}): Promise<void> {
    await this.deps.sessions.botSaid(corpId, sessionId, { msgId, from: 'bot', text, at: this.deps.clock.now() }, inc);
  }
}

/** How a message we sent reads in the conversation. */
export function textOf(message: KfOutMessage): string {
  if (message.type === 'text') return message.text;
  return [message.head, ...message.items.map((i, n) => `${n + 1}. ${i.text}`), ...(message.tail ? [message.tail] : [])].join('\n');
}
