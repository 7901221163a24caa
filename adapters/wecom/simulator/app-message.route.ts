/**
 * 应用消息 message/send: text and textcard to staff members of the corp, through the app whose secret minted the
 * token: no agentid → 41011, an agentid that is no app of the corp → 40056 (invalid agentid), another app of
 * the corp → 301002 ("not allow operate another agent with this accesstoken"). Unknown userids come back in
 * `invaliduser` ("a|b"); when every recipient is unknown the call fails with 81013. textcard: title ≤ 128
 * bytes, description ≤ 512 bytes, url required. https://developer.work.weixin.qq.com/document/path/90236
 * agent/get answers the same refusals for the same agentids. https://developer.work.weixin.qq.com/document/path/90227
 */
import { bytes, optionalNumber, optionalObject, optionalText, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';

/** The agentid when it is the app of the caller's secret (gettoken names a token's owner `corpid/secret`). */
function ownAgent(sim: WecomSim, agentid: number | undefined, caller: string): number {
  if (agentid === undefined) fail(41011, 'missing agentid');
  if (!sim.state.agentIds().has(agentid)) fail(40056, 'invalid agentid');
  const secret = caller.slice(caller.indexOf('/') + 1);
  if (sim.state.agentOfSecret.get(secret) !== agentid) fail(301002, 'not allow operate another agent with this accesstoken');
  return agentid;
}

export function appMessageRoutes(sim: WecomSim): ApiRoute[] {
  const { state } = sim;
  return [
    {
      method: 'POST',
      api: 'message/send',
      auth: true,
      handler: ({ body, caller }) => {
        const agentid = ownAgent(sim, optionalNumber(body, 'agentid', 40056), caller);
        const msgtype = requireText(body, 'msgtype', 41008);
        const touser = (optionalText(body, 'touser') ?? '').split('|').filter(Boolean);
        if (!touser.length) fail(40031, 'invalid user list');
        if (touser.length > 1000) fail(40031, 'more than 1000 users');
        if (msgtype === 'text') {
          const content = optionalText(optionalObject(body, 'text') ?? {}, 'content');
          if (!content) fail(41009, 'missing content');
          if (bytes(content) > 2048) fail(45002, 'content size out of limit');
        } else if (msgtype === 'textcard') {
          const card = optionalObject(body, 'textcard') ?? {};
          const title = requireText(card, 'title', 41016);
          const description = requireText(card, 'description', 41017);
          requireText(card, 'url', 41018);
          if (bytes(title) > 128 || bytes(description) > 512) fail(45002, 'textcard title or description too long');
        } else {
          fail(40008, `message type ${msgtype} not supported by the simulator`);
        }
        const invalid = touser.filter((u) => !state.staff.has(u));
        if (invalid.length === touser.length) fail(81013, 'user & party & tag all invalid');
        const msgid = state.nextId('msg');
        state.appMessages.push({ msgid, agentid, touser: touser.filter((u) => state.staff.has(u)), msgtype: msgtype as 'text' | 'textcard', body, at: sim.clock.now() });
        return { invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid };
      },
    },
    {
      method: 'GET',
      api: 'agent/get',
      auth: true,
      handler: ({ query, caller }) => {
        const agentid = ownAgent(sim, optionalNumber(query, 'agentid', 40056), caller);
        return {
          agentid,
          name: '私域助手（模拟）',
          square_logo_url: 'https://p.qlogo.cn/bizmail/sim/0',
          description: '',
          allow_userinfos: { user: [...state.staff.keys()].map((userid) => ({ userid })) },
          allow_partys: { partyid: [] },
          allow_tags: { tagid: [] },
          close: 0,
          redirect_domain: '',
          report_location_flag: 0,
          isreportenter: 0,
          home_url: '',
        };
      },
    },
  ];
}
