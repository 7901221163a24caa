/**
 * Acquisition: add_contact_way (「联系我」 with `state`) and send_welcome_msg (20 s, single use → 41050 / 41051).
 * https://developer.work.weixin.qq.com/document/path/96348, /92137
 */
import { bytes, chars, optionalList, optionalNumber, optionalObject, optionalStrings, optionalText, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';

/** Shared by welcome and mass messages: text and/or ≤9 attachments, text ≤4000 bytes. */
export function checkMessageContent(sim: WecomSim, body: Record<string, unknown>): void {
  const text = optionalObject(body, 'text');
  const content = text ? optionalText(text, 'content') : undefined;
  const attachments = optionalList(body, 'attachments') ?? [];
  if (!content && attachments.length === 0) fail(44004, 'empty content');
  if (content && bytes(content) > sim.limits.massTextBytes) fail(45002, 'content size out of limit');
  if (attachments.length > sim.limits.attachments) fail(40058, `more than ${sim.limits.attachments} attachments`);
}

export function acquisitionRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'externalcontact/add_contact_way',
      auth: true,
      handler: ({ body }) => {
        const type = optionalNumber(body, 'type', 41039);
        const scene = optionalNumber(body, 'scene', 41040);
        if (type === undefined) fail(41037, 'missing type');
        if (scene === undefined) fail(41038, 'missing scene');
        if (type !== 1 && type !== 2) fail(41039, 'invalid type');
        if (scene !== 1 && scene !== 2) fail(41040, 'invalid scene');
        const remark = optionalText(body, 'remark');
        const stateParam = optionalText(body, 'state');
        if (remark !== undefined && chars(remark) > limits.contactWayRemarkChars) fail(40058, 'remark too long');
        if (stateParam !== undefined && chars(stateParam) > limits.contactWayStateChars) fail(40058, 'state too long');
        const users = optionalStrings(body, 'user') ?? [];
        const parties = optionalList(body, 'party') ?? [];
        if (type === 1 && (users.length !== 1 || parties.length > 0)) fail(40058, 'type 1 takes exactly one user');
        if (users.length + parties.length === 0) fail(40058, 'user or party is required');
        if (users.length > limits.contactWayUsers) fail(41041, 'too many users for one contact way');
        for (const userid of users) if (!state.staff.has(userid)) fail(60111, `userid ${userid} not found`);
        if (state.contactWays.size >= limits.contactWays) fail(41045, 'contact way limit reached');
        const configId = state.nextId('cw');
        state.contactWays.set(configId, { config_id: configId, body, createdAt: sim.clock.now() });
        return scene === 2 ? { config_id: configId, qr_code: `https://wework.qpic.cn/wwpic/sim_${configId}/0` } : { config_id: configId };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/send_welcome_msg',
      auth: true,
      handler: ({ body }) => {
        const code = requireText(body, 'welcome_code', 41049);
        const entry = state.welcomeCodes.get(code);
        if (!entry) fail(41050, 'invalid welcome code');
        if (entry.usedAt) fail(41051, 'customer already in chat');
        if (sim.clock.now().getTime() - entry.issuedAt.getTime() > limits.welcomeCodeTtlMs) fail(41050, 'welcome code expired');
        checkMessageContent(sim, body);
        entry.usedAt = sim.clock.now();
        state.welcomeSends.push({ welcome_code: code, userid: entry.userid, external_userid: entry.external_userid, body, at: entry.usedAt });
      },
    },
  ];
}
