/**
 * gettoken and staff OAuth. https://developer.work.weixin.qq.com/document/path/91039,
 * https://developer.work.weixin.qq.com/document/path/91023
 */
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';

export function authRoutes(sim: WecomSim): ApiRoute[] {
  return [
    {
      method: 'GET',
      api: 'gettoken',
      auth: false,
      handler: ({ query }) => {
        const { corpid, corpsecret } = query;
        if (!corpid) fail(41002, 'corpid missing');
        if (!corpsecret) fail(41004, 'corpsecret missing');
        if (corpid !== sim.state.corpId) fail(40013, 'invalid corpid');
        if (!sim.state.secrets.has(corpsecret)) fail(40001, 'invalid credential');
        return sim.tokens.issue(`${corpid}/${corpsecret}`);
      },
    },
    {
      method: 'GET',
      api: 'auth/getuserinfo',
      auth: true,
      handler: ({ query }) => {
        if (!query.code) fail(41008, 'missing code');
        const entry = sim.state.oauthCodes.get(query.code);
        const age = entry ? sim.clock.now().getTime() - entry.issuedAt.getTime() : Infinity;
        // Codes are single use and short-lived; both failures look alike to the caller.
        if (!entry || entry.used || age > sim.limits.oauthCodeTtlMs) fail(40029, 'invalid code');
        entry.used = true;
        return { userid: entry.userid };
      },
    },
  ];
}
