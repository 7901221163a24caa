/**
 * 微信客服: kf/sync_msg pages a corp-wide message stream by opaque cursor (`has_more` 1 may come with an empty
 * list: our own sends occupy the stream but are never returned), kf/send_msg enforces the customer window
 * (48 h → 95002, 5 messages → 95001, session state → 95018) and refuses a msgid already used on the kf account
 * ({@link KF_DUPLICATE_MSGID_ERRCODE}), and kf/customer/batchget returns the profiles of customers who wrote.
 * https://developer.work.weixin.qq.com/document/path/94699, /document/31072
 */
import { bytes, decodeCursor, encodeCursor, INVALID_PARAMETER, optionalNumber, optionalObject, optionalStrings, optionalText, pageLimit, requireText } from './sim-input.ts';
import { acceptMsgMenu } from './kf-session.route.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { nowSeconds } from './wecom-sim-context.ts';
import type { WecomSim } from './wecom-sim-context.ts';

const SEND_TYPES = new Set(['text', 'image', 'voice', 'video', 'file', 'link', 'miniprogram', 'msgmenu', 'location']);
const MSGID = /^[0-9a-zA-Z_-]{1,32}$/;
/**
 * kf/send_msg with a `msgid` already used on the same kf account. The send_msg doc says the caller must keep a given
 * msgid unique within the kf account, "否则接口返回错误" (otherwise the call fails), but names no errcode: 40058
 * (invalid parameter) stands in for it. The repeat delivers nothing and spends none of the window's allowance, so
 * a resend with the same msgid can never reach the customer twice.
 */
export const KF_DUPLICATE_MSGID_ERRCODE = 40058;
/** kf/customer/batchget: external_userid_list holds 1–100 ids. */
const BATCHGET_MAX = 100;

function checkCallbackToken(sim: WecomSim, token: string | undefined): void {
  if (token === undefined) return;
  if (bytes(token) > 128) fail(40058, 'token longer than 128 bytes');
  const issued = sim.state.kf.callbackTokens.get(token);
  if (!issued || sim.clock.now().getTime() - issued.getTime() > sim.limits.kfCallbackTokenTtlMs) fail(95007, 'invalid msg token');
}

function startPosition(sim: WecomSim, cursor: string | undefined): number {
  if (cursor) {
    if (bytes(cursor) > 64) fail(40058, 'cursor longer than 64 bytes');
    return decodeCursor(cursor);
  }
  const from = nowSeconds(sim) - sim.limits.kfSyncHistoryMs / 1000;
  const first = sim.state.kf.stream.findIndex((e) => e.message.send_time >= from);
  return first < 0 ? sim.state.kf.stream.length : first;
}

export function kfRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'kf/sync_msg',
      auth: true,
      handler: ({ body }) => {
        const openKfid = optionalText(body, 'open_kfid');
        if (openKfid !== undefined && !state.kf.accounts.has(openKfid)) fail(95000, 'invalid open_kfid');
        checkCallbackToken(sim, optionalText(body, 'token'));
        const limit = pageLimit(body, limits.kfSyncLimit, limits.kfSyncLimit);
        const matches = (i: number) => !openKfid || state.kf.stream[i]?.message.open_kfid === openKfid;
        const stream = state.kf.stream;
        let position = startPosition(sim, optionalText(body, 'cursor'));
        const scanned = [];
        for (; position < stream.length && scanned.length < limit; position++) {
          if (matches(position)) scanned.push(stream[position]!);
        }
        let hasMore = 0;
        for (let i = position; i < stream.length && hasMore === 0; i++) if (matches(i)) hasMore = 1;
        return {
          next_cursor: encodeCursor(position),
          has_more: hasMore,
          msg_list: scanned.filter((e) => !e.hidden).map((e) => e.message),
        };
      },
    },
    {
      method: 'POST',
      api: 'kf/send_msg',
      auth: true,
      handler: ({ body }) => {
        const touser = requireText(body, 'touser', 40058);
        const openKfid = requireText(body, 'open_kfid', 40058);
        if (!state.kf.accounts.has(openKfid)) fail(95000, 'invalid open_kfid');
        const msgid = optionalText(body, 'msgid');
        if (msgid !== undefined && !MSGID.test(msgid)) fail(40058, 'msgid must be ≤32 bytes of [0-9a-zA-Z_-]');
        if (msgid !== undefined && state.kf.sent.some((s) => s.msgid === msgid && s.body.open_kfid === openKfid)) {
          fail(KF_DUPLICATE_MSGID_ERRCODE, `msgid ${msgid} was already used on this kf account`);
        }
        const msgtype = optionalText(body, 'msgtype');
        if (!msgtype || !SEND_TYPES.has(msgtype)) fail(40008, 'invalid msgtype');
        const payload = optionalObject(body, msgtype);
        if (!payload) fail(40058, `missing ${msgtype}`);
        if (msgtype === 'text' && !optionalText(payload, 'content')) fail(44004, 'empty content');

        const conversation = state.kf.conversations.get(touser);
        const last = conversation?.lastCustomerMessageAt;
        if (!conversation || !last || sim.clock.now().getTime() - last.getTime() > limits.kfWindowMs) fail(95002, 'out of 48 hours');
        if (conversation.sessionState > 1) fail(95018, 'session state does not allow sending');
        if (conversation.sentSince >= limits.kfMessagesPerWindow) fail(95001, 'message count limit');
        if (msgtype === 'msgmenu') acceptMsgMenu(conversation, payload);

        conversation.sentSince++;
        const id = msgid ?? state.nextId('kfsent');
        state.kf.sent.push({ body, msgid: id, at: sim.clock.now() });
        state.kf.stream.push({
          seq: state.kf.stream.length,
          hidden: true,
          message: { msgid: id, open_kfid: openKfid, external_userid: touser, send_time: nowSeconds(sim), origin: 5, msgtype, [msgtype]: payload },
        });
        return { msgid: id };
      },
    },
    {
      method: 'POST',
      api: 'kf/customer/batchget',
      auth: true,
      handler: ({ body }) => {
        const ids = optionalStrings(body, 'external_userid_list') ?? [];
        if (ids.length < 1 || ids.length > BATCHGET_MAX) fail(INVALID_PARAMETER, `external_userid_list must hold 1 to ${BATCHGET_MAX} ids`);
        const withContext = optionalNumber(body, 'need_enter_session_context') ?? 0;
        if (withContext !== 0 && withContext !== 1) fail(INVALID_PARAMETER, 'need_enter_session_context must be 0 or 1');
        const unique = [...new Set(ids)];
        return {
          customer_list: unique.flatMap((id) => {
            const customer = state.kf.customers.get(id);
            if (!customer) return [];
            const { enter_session_context: context, ...profile } = customer;
            return [withContext === 1 && context ? { ...profile, enter_session_context: context } : profile];
          }),
          invalid_external_userid: unique.filter((id) => !state.kf.customers.has(id)),
        };
      },
    },
  ];
}
