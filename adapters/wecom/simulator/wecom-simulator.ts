/**
 * A local WeCom server-API simulator (Tencent's servers are unreachable in tests): koa on 127.0.0.1 serving
 * `/cgi-bin/...` with the documented limits and error codes. Point a client's `baseUrl` at `baseUrl`.
 */
import { acquisitionRoutes } from './acquisition.route.ts';
import { appMessageRoutes } from './app-message.route.ts';
import { authRoutes } from './auth.route.ts';
import { contactWayRoutes } from './contact-way.route.ts';
import { customerRoutes } from './customer.route.ts';
import { groupChatRoutes } from './groupchat.route.ts';
import { kfRoutes } from './kf.route.ts';
import { kfSessionRoutes } from './kf-session.route.ts';
import { jsapiRoutes } from './jsapi.route.ts';
import { transferRoutes } from './transfer.route.ts';
import { massSendRoutes } from './mass-send.route.ts';
import { momentRoutes } from './moment.route.ts';
import { listen, RateWindows, realClock, SimKernel, simApp } from './sim-kernel.ts';
import type { SimClock } from './sim-kernel.ts';
import { TokenRegistry } from './sim-tokens.ts';
import { tagRoutes } from './tag.route.ts';
import { WecomSimControl } from './wecom-control.ts';
import { WECOM_LIMITS } from './wecom-limits.ts';
import type { WecomLimits } from './wecom-limits.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import { WecomSimState } from './wecom-state.ts';

export type WecomSimulatorOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  clock?: SimClock;
  corpId?: string;
  /** The first app secret gettoken accepts; add more with `control.addSecret`. */
  secret?: string;
  /** The agentid of the app `secret` belongs to: message/send refuses any other (40056 / 301002). */
  agentId?: number;
  limits?: Partial<WecomLimits>;
};

export type WecomSimulator = {
  baseUrl: string;
  corpId: string;
  secret: string;
  agentId: number;
  state: WecomSimState;
  control: WecomSimControl;
  stop(): Promise<void>;
};

export const SIM_CORP_ID = 'wwsim00000000000001';
export const SIM_SECRET = 'sim-secret-0123456789';
/** The simulated corp's self-built app; configure it as the account's agentId (WECOM_AGENT_ID). */
export const SIM_AGENT_ID = 1000002;

export async function startWecomSimulator(options: WecomSimulatorOptions = {}): Promise<WecomSimulator> {
  const clock = options.clock ?? realClock;
  const corpId = options.corpId ?? SIM_CORP_ID;
  const secret = options.secret ?? SIM_SECRET;
  const limits = { ...WECOM_LIMITS, ...options.limits };
  const agentId = options.agentId ?? SIM_AGENT_ID;
  const state = new WecomSimState(corpId, new Set([secret]));
  state.agentOfSecret.set(secret, agentId);
  const tokens = new TokenRegistry(clock, {
    ttlSeconds: limits.tokenTtlSeconds,
    reuse: true,
    supersededGraceMs: 0,
    supersededCode: 42001,
  });
  const sim: WecomSim = { state, clock, limits, tokens, settings: { massDispatchDelayMs: 0, momentJobMs: 0 } };
  const rates = new RateWindows({ max: limits.perApiPerMinute, windowMs: 60_000 });
  const kernel = new SimKernel({
    clock,
    rateWindows: rates,
    okEnvelope: true,
    authenticate: (token) => tokens.authenticate(token),
    moreInfo: (errcode) => `https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  });
  const routes = [
    ...authRoutes(sim),
    ...customerRoutes(sim),
    ...tagRoutes(sim),
    ...acquisitionRoutes(sim),
    ...appMessageRoutes(sim),
    ...contactWayRoutes(sim),
    ...massSendRoutes(sim),
    ...momentRoutes(sim),
    ...groupChatRoutes(sim),
    ...kfRoutes(sim),
    ...kfSessionRoutes(sim),
    ...jsapiRoutes(sim),
    ...transferRoutes(sim),
  ];
  const server = await listen(simApp(kernel, routes), options.port ?? 0);
  return {
    baseUrl: server.baseUrl,
    corpId,
    secret,
    agentId,
    state,
    control: new WecomSimControl(sim, kernel, rates),
    stop: () => server.close(),
  };
}
