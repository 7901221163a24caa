/**
 * Customer groups: groupchat/list (limit 1–1000, owner_filter ≤100 userids, 81017 without a filter in a corp of
 * more than 1000 staff) and groupchat/get. Members carry `group_nickname`, `invitor` when a member of the corp
 * invited them, `unionid` for WeChat users whose unionid is known, and `name` only with `need_name: 1`.
 * https://developer.work.weixin.qq.com/document/path/93414
 */
import { optionalNumber, optionalObject, optionalStrings, page, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimGroupMember } from './wecom-state.ts';

function memberView(sim: WecomSim, member: SimGroupMember, needName: boolean): Record<string, unknown> {
  const { name, unionid, invitor, group_nickname, ...rest } = member;
  const customer = member.type === 2 ? sim.state.customers.get(member.userid) : undefined;
  const knownUnionid = unionid ?? (customer?.type === 1 ? customer.unionid : undefined);
  const shownName = name ?? (member.type === 1 ? sim.state.staff.get(member.userid)?.name : customer?.name);
  return {
    ...rest,
    ...(knownUnionid === undefined ? {} : { unionid: knownUnionid }),
    ...(invitor === undefined ? {} : { invitor }),
    group_nickname: group_nickname ?? '',
    ...(needName && shownName !== undefined ? { name: shownName } : {}),
  };
}

export function groupChatRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'externalcontact/groupchat/list',
      auth: true,
      handler: ({ body }) => {
        const limit = optionalNumber(body, 'limit');
        if (limit === undefined || limit < 1 || limit > limits.groupChatLimit) fail(40058, `limit must be 1–${limits.groupChatLimit}`);
        const statusFilter = optionalNumber(body, 'status_filter') ?? 0;
        const ownerFilter = optionalObject(body, 'owner_filter');
        const owners = ownerFilter ? (optionalStrings(ownerFilter, 'userid_list') ?? []) : undefined;
        if (owners && owners.length > limits.groupChatOwners) fail(40032, `owner_filter takes at most ${limits.groupChatOwners} userids`);
        if (!owners?.length && state.staff.size > limits.groupChatStaffWithoutFilter) fail(81017, 'use owner_filter');
        const chats = [...state.groupChats.values()].filter(
          (c) => (statusFilter === 0 || c.status === statusFilter) && (!owners?.length || owners.includes(c.owner)),
        );
        const slice = page(chats, body.cursor, limit);
        return { group_chat_list: slice.items.map((c) => ({ chat_id: c.chat_id, status: c.status })), next_cursor: slice.next_cursor };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/groupchat/get',
      auth: true,
      handler: ({ body }) => {
        const chat = state.groupChats.get(requireText(body, 'chat_id', 40058));
        if (!chat) fail(40050, 'chatid not found');
        const needName = optionalNumber(body, 'need_name') === 1;
        const { status: _status, member_list, ...rest } = chat;
        return { group_chat: { ...rest, member_list: member_list.map((m) => memberView(sim, m, needName)) } };
      },
    },
  ];
}
