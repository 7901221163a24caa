/**
 * Token and user info. https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html,
 * https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html
 */
import { fail } from '../../wecom/simulator/sim-kernel.ts';
import type { ApiRoute } from '../../wecom/simulator/sim-kernel.ts';
import type { OaSim } from './oa-state.ts';

export function oaUserRoutes(sim: OaSim): ApiRoute[] {
  const { state } = sim;
  return [
    {
      method: 'GET',
      api: 'token',
      auth: false,
      handler: ({ query }) => {
        if (query.grant_type !== 'client_credential') fail(40002, 'invalid grant_type');
        if (query.appid !== state.appId) fail(40013, 'invalid appid');
        if (query.secret !== state.secret) fail(40001, 'invalid credential, AppSecret error');
        return sim.tokens.issue(state.appId);
      },
    },
    {
      method: 'GET',
      api: 'user/info',
      auth: true,
      handler: ({ query }) => {
        const follower = query.openid ? state.followers.get(query.openid) : undefined;
        if (!follower) fail(40003, 'invalid openid');
        if (follower.subscribe === 0) return { subscribe: 0, openid: follower.openid, ...(follower.unionid ? { unionid: follower.unionid } : {}) };
        const { lastMessageAt: _last, sentSince: _sent, tagids, ...info } = follower;
        return { ...info, groupid: 0, tagid_list: tagids, subscribe_scene: 'ADD_SCENE_QR_CODE' };
      },
    },
  ];
}
