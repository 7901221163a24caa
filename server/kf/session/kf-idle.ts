/**
 * Ends 微信客服 sessions nobody is talking in. While the API routes sessions WeCom ends none on its own, so a
 * session only the bot held (0 未处理 / 1 智能助手) would stay open forever and never get a resolution time or a
 * first-contact verdict; a session left waiting in the pool (2 待接入池) would wait for good. After the corp's
 * `botIdleEndMinutes` / `poolIdleEndMinutes` of silence the sweep asks WeCom where the session is
 * (kf/service_state/get), moves it to 4 (已结束) with kf/service_state/trans — allowed from 0, 1 and 2 (the
 * 分配客服会话 table; the simulator holds the same table) — and only then ends it here, at its last message, with
 * the reason `idle`. The customer's next message opens a new session, at WeCom and here. A session with a
 * servicer (3) is ended by the servicer, also one taken in the WeCom client whose status change we missed.
 * https://developer.work.weixin.qq.com/document/path/94669
 */
import type { Logger } from 'pino';
import { ChannelError, type ChannelAdapter } from '../../../adapters/channel-adapter.ts';
import type { Clock } from '../../shared/clock.ts';
import type { AnswerTests } from '../bot/answer-tests.ts';
import type { KfSettings } from '../kf-settings.repository.ts';
import type { KfSessionDto, KfSessionRepository, KfSessionState } from './kf-session.repository.ts';

/** 95013 会话已结束: WeCom ended it already (our earlier end whose write was lost, or the 48 h limit). */
const WECOM_ALREADY_ENDED = 95013;
/** The shortest idle limit a corp can set: the visit list is read with it. */
export const MIN_IDLE_END_MINUTES = 5;
/** A claim outlives one sweep's WeCom calls (the job's lock lifetime); a dead worker's claim lapses after it. */
const CLAIM_MS = 10 * 60_000;
/** After a refusal WeCom is asked again this much later, not on every sweep. */
export const IDLE_END_RETRY_MS = 30 * 60_000;
/** Sessions ended per corp and state group in one sweep; the rest wait for the next. */
const PER_CORP_LIMIT = 200;

const BOT_STATES: readonly KfSessionState[] = [0, 1];
const POOL_STATES: readonly KfSessionState[] = [2];

type IdlePort = Pick<ChannelAdapter, 'transKfState' | 'getKfState'>;

export type KfIdleDeps = {
  sessions: KfSessionRepository;
  idleLimits(corpIds: readonly string[]): Promise<Map<string, Pick<KfSettings, 'botIdleEndMinutes' | 'poolIdleEndMinutes'>>>;
  portFor(corpId: string): Promise<IdlePort | null>;
  answerTests?: Pick<AnswerTests, 'ended' | 'handedOver'>;
  clock: Clock;
  logger: Logger;
};

export type IdleEndOutcome = { ended: number; refused: number };

export class KfIdleSweep {
  constructor(private readonly deps: KfIdleDeps) {}

  async sweep(now: Date = this.deps.clock.now()): Promise<IdleEndOutcome> {
    const out: IdleEndOutcome = { ended: 0, refused: 0 };
    const earliest = new Date(now.getTime() - MIN_IDLE_END_MINUTES * 60_000);
    const corps = await this.deps.sessions.corpsWithSilent([...BOT_STATES, ...POOL_STATES], earliest);
    if (!corps.length) return out;
    const limits = await this.deps.idleLimits(corps);
    for (const corpId of corps) {
      const limit = limits.get(corpId)!;
      const port = await this.deps.portFor(corpId);
      if (!port?.transKfState) {
        this.deps.logger.warn({ corpId }, 'kf idle sessions not ended: the corp has no WeCom account that can end them');
        continue;
      }
      for (const [states, minutes] of [[BOT_STATES, limit.botIdleEndMinutes], [POOL_STATES, limit.poolIdleEndMinutes]] as const) {
        const silentSince = new Date(now.getTime() - minutes * 60_000);
        const claimed = await this.deps.sessions.claimSilent(corpId, states, silentSince, now, new Date(now.getTime() + CLAIM_MS), PER_CORP_LIMIT);
        for (const session of claimed) {
          const outcome = await this.end(corpId, session, silentSince, port, now);
          if (outcome !== 'went_on') out[outcome]++;
        }
      }
    }
    return out;
  }

  private async end(corpId: string, session: KfSessionDto, silentSince: Date, port: IdlePort, now: Date): Promise<'ended' | 'refused' | 'went_on'> {
    const { sessions, logger } = this.deps;
    try {
      // WeCom would end a servicer's session too (3 → 4 is allowed): one taken in the WeCom client whose status
      // change has not reached us yet is followed, never ended.
      const atWecom = port.getKfState ? await port.getKfState({ openKfId: session.openKfId, externalUserId: session.externalUserId }) : null;
      if (atWecom?.state === 3) {
        await sessions.update(corpId, session.id, { state: 3, servicerUserId: atWecom.servicerUserId, takenAt: now });
        await this.deps.answerTests?.handedOver(corpId, session.id);
        logger.info({ corpId, sessionId: session.id, servicer: atWecom.servicerUserId }, 'kf idle session is with a servicer at WeCom; followed, not ended');
        return 'went_on';
      }
      // The end's 结束语 code is not used: the customer left, and a survey they did not wait for would only be noise.
      if (atWecom?.state !== 4) await port.transKfState!({ openKfId: session.openKfId, externalUserId: session.externalUserId, state: 4 });
    } catch (err) {
      const errcode = err instanceof ChannelError ? err.errcode : null;
      if (errcode !== WECOM_ALREADY_ENDED) {
        // Kept as it is (nothing is lost) and asked again after IDLE_END_RETRY_MS.
        logger.warn({ err, corpId, sessionId: session.id, state: session.state }, 'kf idle session not ended: WeCom refused');
        await sessions.idleEndRefused(corpId, session.id, { at: now, errcode }, new Date(now.getTime() + IDLE_END_RETRY_MS));
        return 'refused';
      }
    }
    const ended = await sessions.endIdle(corpId, session.id, silentSince);
    // A customer wrote while WeCom was asked: WeCom opened a new session for it, and the bot answers it in this
    // record; the next sweep ends it when it falls silent again.
    if (!ended) return 'went_on';
    // Tested answers agree with the end: no handover means resolved, as when a servicer ends the session.
    if (ended.handedOverAt) await this.deps.answerTests?.handedOver(corpId, ended.id);
    else await this.deps.answerTests?.ended(corpId, ended.id, ended.endedAt!);
    return 'ended';
  }
}
