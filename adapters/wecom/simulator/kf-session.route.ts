/**
 * 微信客服 session routing: kf/service_state/get|trans with the documented state machine, kf/send_msg_on_event
 * with the codes the enter_session event and state changes hand out, and kf/servicer/list.
 * https://developer.work.weixin.qq.com/document/path/94669 (分配客服会话), /path/95122 (发送欢迎语等事件响应消息),
 * errcodes as WxJava's WxCpErrorMsgEnum names them (95013 会话已结束, 95014 不是接待人员, 95016 不允许这种状态转换).
 */
import { randomBytes } from 'node:crypto';
import { bytes, optionalList, optionalNumber, optionalObject, optionalText, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimKfConversation, SimKfEventCode } from './wecom-state.ts';

export const KF_SESSION_ENDED = 95013;
export const KF_NOT_SERVICER = 95014;
export const KF_BAD_TRANSITION = 95016;
/**
 * A send_msg_on_event code that is unknown, used or expired. The doc says a code works once within its validity
 * but names no errcode for a stale one; 40058 (invalid parameter) stands in, as for a repeated kf msgid.
 */
export const KF_EVENT_CODE_ERRCODE = 40058;

/**
 * Allowed moves (the 分配客服会话 overview table): 未处理 may go to the bot, the pool or a servicer; the bot
 * may hand to the pool or a servicer or end; the pool is left only to a servicer or the end; a servicer may
 * pass the session to another servicer or end it. Nothing leaves 已结束: the customer's next message opens a new session.
 */
const ALLOWED: Record<number, readonly number[]> = { 0: [1, 2, 3, 4], 1: [2, 3, 4], 2: [3, 4], 3: [3, 4], 4: [] };
const HOUR = 3_600_000;
/** Codes from state changes: the pool and servicer 回复语 codes live 48 h (the pool's is text only), the 结束语 code 20 s. */
const REPLY_CODE_TTL_MS = 48 * HOUR;
const END_CODE_TTL_MS = 20_000;

export function issueKfEventCode(sim: WecomSim, input: Omit<SimKfEventCode, 'code' | 'issuedAt'>): string {
  const code = `${input.kind.toUpperCase()}_${randomBytes(12).toString('hex')}`;
  sim.state.kf.eventCodes.set(code, { ...input, code, issuedAt: sim.clock.now() });
  return code;
}

/**
 * Checks a msgmenu body (a list of click / view / miniprogram / text items, ≤128 bytes each id) and remembers its
 * click ids for the customer, so a simulated click can only send back a menu item the customer was shown.
 */
export function acceptMsgMenu(conversation: SimKfConversation, menu: Record<string, unknown>): void {
  const list = optionalList(menu, 'list');
  if (!list?.length) fail(40058, 'msgmenu.list is required');
  const clicks = new Map<string, string>();
  for (const item of list) {
    const entry = (item ?? {}) as Record<string, unknown>;
    const type = optionalText(entry, 'type');
    if (!type || !['click', 'view', 'miniprogram', 'text'].includes(type)) fail(40058, 'msgmenu item type must be click, view, miniprogram or text');
    const body = optionalObject(entry, type);
    if (!body) fail(40058, `msgmenu item misses ${type}`);
    if (type === 'click') {
      const id = requireText(body, 'id', 40058);
      const content = requireText(body, 'content', 40058);
      if (bytes(id) > 128 || bytes(content) > 128) fail(40058, 'msgmenu click id and content are at most 128 bytes');
      clicks.set(id, content);
    }
  }
  conversation.menuItems = new Map([...(conversation.menuItems ?? []), ...clicks]);
}

export function kfSessionRoutes(sim: WecomSim): ApiRoute[] {
  const { state } = sim;
  const account = (body: Record<string, unknown>): string => {
    const openKfid = requireText(body, 'open_kfid', 40058);
    if (!state.kf.accounts.has(openKfid)) fail(95000, 'invalid open_kfid');
    return openKfid;
  };
  return [
    {
      method: 'POST',
      api: 'kf/service_state/get',
      auth: true,
      handler: ({ body }) => {
        account(body);
        const conversation = state.conversation(requireText(body, 'external_userid', 40058));
        return { service_state: conversation.sessionState, servicer_userid: conversation.sessionState === 3 ? (conversation.servicerUserid ?? '') : '' };
      },
    },
    {
      method: 'POST',
      api: 'kf/service_state/trans',
      auth: true,
      handler: ({ body }) => {
        const openKfid = account(body);
        const externalUserid = requireText(body, 'external_userid', 40058);
        const target = optionalNumber(body, 'service_state');
        if (target === undefined || ![1, 2, 3, 4].includes(target)) fail(40058, 'service_state must be 1, 2, 3 or 4');
        const conversation = state.conversation(externalUserid);
        const from = conversation.sessionState;
        if (from === 4) fail(KF_SESSION_ENDED, 'session already ended');
        if (!ALLOWED[from]!.includes(target)) fail(KF_BAD_TRANSITION, `state ${from} cannot change to ${target}`);
        const servicer = optionalText(body, 'servicer_userid');
        if (target === 3) {
          if (!servicer) fail(40058, 'servicer_userid is required for state 3');
          const known = state.kf.servicers.get(openKfid)?.find((s) => s.userid === servicer);
          if (!known || known.status !== 0) fail(KF_NOT_SERVICER, `${servicer} is not a servicer on duty for this kf account`);
          if (from === 3 && conversation.servicerUserid === servicer) fail(KF_BAD_TRANSITION, 'already served by this servicer');
        }
        conversation.sessionState = target as SimKfConversation['sessionState'];
        if (target === 3) conversation.servicerUserid = servicer;
        else delete conversation.servicerUserid;
        // The first move into 2 and the first into 3 each bring a 回复语 code; every end brings a 结束语 code.
        if (target === 4) return { msg_code: issueKfEventCode(sim, { kind: 'end', open_kfid: openKfid, external_userid: externalUserid, ttlMs: END_CODE_TTL_MS, textOnly: false }) };
        if ((target === 2 || target === 3) && target !== from) return { msg_code: issueKfEventCode(sim, { kind: 'reply', open_kfid: openKfid, external_userid: externalUserid, ttlMs: REPLY_CODE_TTL_MS, textOnly: target === 2 }) };
        return {};
      },
    },
    {
      method: 'POST',
      api: 'kf/send_msg_on_event',
      auth: true,
      handler: ({ body }) => {
        const code = requireText(body, 'code', 40058);
        const entry = state.kf.eventCodes.get(code);
        if (!entry || entry.usedAt || sim.clock.now().getTime() - entry.issuedAt.getTime() > entry.ttlMs) fail(KF_EVENT_CODE_ERRCODE, 'invalid, used or expired code');
        const msgtype = optionalText(body, 'msgtype');
        if (msgtype !== 'text' && msgtype !== 'msgmenu') fail(40008, 'send_msg_on_event sends text or msgmenu');
        if (msgtype === 'msgmenu' && entry.textOnly) fail(40008, 'this code sends text only');
        const payload = optionalObject(body, msgtype);
        if (!payload) fail(40058, `missing ${msgtype}`);
        if (msgtype === 'text' && !optionalText(payload, 'content')) fail(44004, 'empty content');
        const conversation = state.conversation(entry.external_userid);
        if (msgtype === 'msgmenu') acceptMsgMenu(conversation, payload);
        entry.usedAt = sim.clock.now();
        if (entry.kind === 'welcome') conversation.welcomedAt = entry.usedAt;
        const msgid = optionalText(body, 'msgid') ?? state.nextId('kfevent');
        state.kf.eventSends.push({ body: { ...body, touser: entry.external_userid, open_kfid: entry.open_kfid }, msgid, at: entry.usedAt });
        return { msgid };
      },
    },
    {
      method: 'GET',
      api: 'kf/servicer/list',
      auth: true,
      handler: ({ query }) => {
        const openKfid = query.open_kfid;
        if (!openKfid || !state.kf.accounts.has(openKfid)) fail(95000, 'invalid open_kfid');
        return { servicer_list: (state.kf.servicers.get(openKfid) ?? []).map((s) => ({ userid: s.userid, status: s.status })) };
      },
    },
  ];
}
