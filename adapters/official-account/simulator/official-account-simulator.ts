/**
 * A local official-account (公众号) API simulator on its own koa server (the real API lives on another host,
 * api.weixin.qq.com, with different token semantics): every token fetch mints a new token and the previous one
 * keeps working for 5 minutes, then answers 40001.
 */
import { listen, RateWindows, realClock, SimKernel, simApp } from '../../wecom/simulator/sim-kernel.ts';
import type { SimClock } from '../../wecom/simulator/sim-kernel.ts';
import { TokenRegistry } from '../../wecom/simulator/sim-tokens.ts';
import { OaSimControl } from './oa-control.ts';
import { oaMessageRoutes } from './oa-message.route.ts';
import { OA_LIMITS, OaSimState } from './oa-state.ts';
import type { OaLimits, OaSim } from './oa-state.ts';
import { oaTagRoutes } from './oa-tag.route.ts';
import { oaUserRoutes } from './oa-user.route.ts';

export type OfficialAccountSimulatorOptions = {
  port?: number;
  clock?: SimClock;
  appId?: string;
  secret?: string;
  limits?: Partial<OaLimits>;
};

export type OfficialAccountSimulator = {
  baseUrl: string;
  appId: string;
  secret: string;
  state: OaSimState;
  control: OaSimControl;
  stop(): Promise<void>;
};

export const SIM_APP_ID = 'wxsim0000000000001';
export const SIM_APP_SECRET = 'sim-app-secret-0123456789';

export async function startOfficialAccountSimulator(options: OfficialAccountSimulatorOptions = {}): Promise<OfficialAccountSimulator> {
  const clock = options.clock ?? realClock;
  const appId = options.appId ?? SIM_APP_ID;
  const secret = options.secret ?? SIM_APP_SECRET;
  const limits = { ...OA_LIMITS, ...options.limits };
  const state = new OaSimState(appId, secret);
  const tokens = new TokenRegistry(clock, {
    ttlSeconds: limits.tokenTtlSeconds,
    reuse: false,
    supersededGraceMs: limits.tokenGraceMs,
    supersededCode: 40001,
  });
  const sim: OaSim = { state, clock, limits, tokens };
  const rates = new RateWindows();
  const kernel = new SimKernel({
    clock,
    rateWindows: rates,
    okEnvelope: false,
    authenticate: (token) => tokens.authenticate(token),
    moreInfo: (errcode) => `https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html#${errcode}`,
  });
  const routes = [...oaUserRoutes(sim), ...oaMessageRoutes(sim), ...oaTagRoutes(sim)];
  const server = await listen(simApp(kernel, routes), options.port ?? 0);
  return { baseUrl: server.baseUrl, appId, secret, state, control: new OaSimControl(sim, kernel, rates), stop: () => server.close() };
}
