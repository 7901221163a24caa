/**
 * 应用消息 message/send: text and textcard to staff members of the corp, through the app whose secret minted the
 * token: no agentid → 41011, an agentid that is no app of the corp → 40056 (invalid agentid), another app of
 * the corp → 301002 ("not allow operate another agent with this accesstoken"). Unknown userids come back in
 * `invaliduser` ("a|b"); when every recipient is unknown the call fails with 81013. textcard: title ≤ 128
 * bytes, description ≤ 512 bytes, url required. https://developer.work.weixin.qq.com/document/path/90236
 */
import { bytes, optionalNumber, optionalObject, optionalText, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';

/** gettoken names a token's owner `corpid/secret`. */
function secretOf(caller: string): string {
  return caller.slice(caller.indexOf('/') + 1);
}

export function appMessageRoutes(sim: WecomSim): ApiRoute[] {
  const { state } = sim;
  return [
    {
      method: 'POST',
      api: 'message/send',
      auth: true,
      handler: ({ body, caller }) => {
        const agentid = optionalNumber(body, 'agentid', 40056);
        if (agentid === undefined) fail(41011, 'missing agentid');
        if (!state.agentIds().has(agentid)) fail(40056, 'invalid agentid');
        if (state.agentOfSecret.get(secretOf(caller)) !== agentid) fail(301002, 'not allow operate another agent with this accesstoken');
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
  ];
}
