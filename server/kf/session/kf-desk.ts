/**
 * The service desk's moves on a kf session: take it from the pool, reply, pass it to a colleague, end it with
 * the satisfaction survey. WeCom refuses kf/send_msg once a session is in its pool or with a servicer (95018),
 * so in the 'desk' reception mode the pool and the servicer are only our states: WeCom keeps the session at 1
 * (the API receives) and every desk reply is a send_msg, within the 48 h / 5-message window. In 'wecom_client'
 * mode the moves happen at WeCom too; the desk's reply there uses the msg_code the take handed out (once), after
 * which a servicer answers in the WeCom client and those messages come back through sync_msg.
 */
import { ChannelError, type ChannelAdapter } from '../../../adapters/channel-adapter.ts';
import { ConflictError, UnavailableError } from '../../errors.ts';
import type { Clock } from '../../shared/clock.ts';
import { surveyMenu, textOf, type KfPort } from '../bot/kf-bot.ts';
import type { KfReception } from '../kf-settings.repository.ts';
import type { KfSessionDto, KfSessionRepository } from './kf-session.repository.ts';

export type KfDeskPort = KfPort & Pick<ChannelAdapter, 'listKfServicers' | 'getKfState'>;

export type KfDeskDeps = {
  sessions: KfSessionRepository;
  /** The corp's WeCom adapter (kf sends and state changes); null when the corp has no WeCom account. */
  portFor(corpId: string): Promise<KfDeskPort | null>;
  /** A vendor refusal as people read it (zh-CN first, the code kept). */
  describeVendorError(errcode: number): string;
  receptionOf(corpId: string): Promise<KfReception>;
  clock: Clock;
};

export class KfDesk {
  constructor(private readonly deps: KfDeskDeps) {}

  async take(corpId: string, id: string, userId: string): Promise<KfSessionDto> {
    const session = await this.deps.sessions.get(corpId, id);
    if (session.state !== 2) throw new ConflictError(session.state === 3 ? `会话已由 ${session.servicerUserId} 接待 Already taken` : '会话不在待接入池 The session is not waiting in the pool');
    const port = await this.port(corpId);
    const native = (await this.deps.receptionOf(corpId)) === 'wecom_client';
    const { msgCode } = native ? await this.vendor(() => port.transKfState!({ openKfId: session.openKfId, externalUserId: session.externalUserId, state: 3, servicerUserId: userId })) : { msgCode: null };
    await this.deps.sessions.update(corpId, id, { state: 3, servicerUserId: userId, takenAt: this.deps.clock.now(), msgCode: msgCode ?? null });
    return this.deps.sessions.get(corpId, id);
  }

  async reply(corpId: string, id: string, userId: string, text: string): Promise<KfSessionDto> {
    const session = await this.deps.sessions.get(corpId, id);
    if (session.state === 4) throw new ConflictError('会话已结束 The session has ended');
    if (session.state === 3 && session.servicerUserId !== userId) throw new ConflictError(`会话由 ${session.servicerUserId} 接待 Another servicer has this session`);
    const port = await this.port(corpId);
    const code = session.state === 3 ? await this.deps.sessions.takeMsgCode(corpId, id) : null;
    const message = { type: 'text' as const, text };
    const sent = code
      ? await this.vendor(() => port.sendKfEventMessage!(code, message))
      : await this.vendor(() => port.sendKfMessage!({ openKfId: session.openKfId, externalUserId: session.externalUserId, message }));
    const at = this.deps.clock.now();
    await this.deps.sessions.append(corpId, id, { msgId: sent.msgId, from: 'servicer', text, at, servicerUserId: userId });
    await this.deps.sessions.markFirst(corpId, id, 'firstHumanResponseAt', at);
    return this.deps.sessions.get(corpId, id);
  }

  async transfer(corpId: string, id: string, userId: string, toUserId: string): Promise<KfSessionDto> {
    const session = await this.deps.sessions.get(corpId, id);
    if (session.state !== 3 || session.servicerUserId !== userId) throw new ConflictError('只能转接自己接待中的会话 Only a session you are serving can be transferred');
    const port = await this.port(corpId);
    if ((await this.deps.receptionOf(corpId)) === 'wecom_client') {
      await this.vendor(() => port.transKfState!({ openKfId: session.openKfId, externalUserId: session.externalUserId, state: 3, servicerUserId: toUserId }));
    } else if (toUserId === userId) {
      throw new ConflictError('会话已由你接待 You already serve this session');
    } else {
      // Only a servicer of the kf account may serve it, as WeCom would check for a native transfer.
      const servicers = port.listKfServicers ? await this.vendor(() => port.listKfServicers!(session.openKfId)) : null;
      if (servicers && !servicers.some((s) => s.userId === toUserId)) throw new ConflictError(`${toUserId} 不是该客服账号的接待人员 Not a servicer of this kf account`);
    }
    await this.deps.sessions.update(corpId, id, { servicerUserId: toUserId, msgCode: null });
    return this.deps.sessions.get(corpId, id);
  }

  /** Ends the session (with the question category the servicer picked) and sends the survey with the 结束语 code (valid 20 s, so at once). */
  async end(corpId: string, id: string, userId: string, category?: string): Promise<KfSessionDto> {
    const session = await this.deps.sessions.get(corpId, id);
    if (session.state === 4) throw new ConflictError('会话已结束 The session has ended');
    if (session.state === 3 && session.servicerUserId !== userId) throw new ConflictError(`会话由 ${session.servicerUserId} 接待 Another servicer has this session`);
    const port = await this.port(corpId);
    const { msgCode } = await this.vendor(() => port.transKfState!({ openKfId: session.openKfId, externalUserId: session.externalUserId, state: 4 }));
    const at = this.deps.clock.now();
    await this.deps.sessions.update(corpId, id, { state: 4, endedAt: at, endReason: 'servicer', msgCode: null, ...(category ? { category } : {}) });
    if (msgCode && port.sendKfEventMessage) {
      const survey = surveyMenu();
      const sent = await this.vendor(() => port.sendKfEventMessage!(msgCode, survey));
      await this.deps.sessions.append(corpId, id, { msgId: sent.msgId, from: 'system', text: textOf(survey), at });
    }
    return this.deps.sessions.get(corpId, id);
  }

  async servicers(corpId: string, openKfId: string): Promise<{ userId: string; onDuty: boolean }[]> {
    const port = await this.port(corpId);
    if (!port.listKfServicers) return [];
    return this.vendor(() => port.listKfServicers!(openKfId));
  }

  private async port(corpId: string): Promise<KfDeskPort> {
    const port = await this.deps.portFor(corpId);
    if (!port?.transKfState || !port.sendKfMessage) throw new UnavailableError('未配置企业微信账号，无法处理客服会话 No WeCom account for 微信客服');
    return port;
  }

  /** A vendor refusal becomes a 409 the agent can read; anything else stays what it was. */
  private async vendor<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ChannelError && err.errcode !== null && !err.retryable) throw new ConflictError(this.deps.describeVendorError(err.errcode), { errcode: err.errcode });
      throw err;
    }
  }
}
