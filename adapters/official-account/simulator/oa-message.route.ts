/**
 * Customer-service messages (5 within 48 h of the user's last message → 45015 outside, 45047 over the count)
 * and template messages.
 * https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html,
 * https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
 */
import { optionalObject, optionalText, requireText } from '../../wecom/simulator/sim-input.ts';
import { fail } from '../../wecom/simulator/sim-kernel.ts';
import type { ApiRoute } from '../../wecom/simulator/sim-kernel.ts';
import { OK } from './oa-state.ts';
import type { OaSim } from './oa-state.ts';

const CUSTOM_TYPES = new Set(['text', 'image', 'voice', 'video', 'music', 'news', 'mpnews', 'msgmenu', 'wxcard', 'miniprogrampage']);

export function oaMessageRoutes(sim: OaSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'message/custom/send',
      auth: true,
      handler: ({ body }) => {
        const follower = state.followers.get(requireText(body, 'touser', 40003));
        if (!follower) fail(40003, 'invalid openid');
        const msgtype = optionalText(body, 'msgtype', 40008);
        if (!msgtype || !CUSTOM_TYPES.has(msgtype)) fail(40008, 'invalid message type');
        const payload = optionalObject(body, msgtype, 47001);
        if (!payload) fail(47001, `data format error: missing ${msgtype}`);
        if (msgtype === 'text' && !optionalText(payload, 'content')) fail(44004, 'empty content');
        const last = follower.lastMessageAt;
        const expired = !last || sim.clock.now().getTime() - last.getTime() > limits.customWindowMs;
        if (follower.subscribe === 0 || expired) fail(45015, 'response out of time limit or subscription is canceled');
        if (follower.sentSince >= limits.customMessagesPerWindow) fail(45047, 'out of response count limit');
        follower.sentSince++;
        state.customSends.push({ body, at: sim.clock.now() });
        return OK;
      },
    },
    {
      method: 'POST',
      api: 'message/template/send',
      auth: true,
      handler: ({ body }) => {
        const follower = state.followers.get(requireText(body, 'touser', 40003));
        if (!follower) fail(40003, 'invalid openid');
        if (!state.templates.has(requireText(body, 'template_id', 40037))) fail(40037, 'invalid template_id');
        if (!optionalObject(body, 'data', 47003)) fail(47003, 'argument invalid: data');
        if (follower.subscribe === 0) fail(43004, 'require subscribe');
        const msgid = state.nextMsgId++;
        state.templateSends.push({ body, at: sim.clock.now(), msgid });
        return { ...OK, msgid };
      },
    },
  ];
}
