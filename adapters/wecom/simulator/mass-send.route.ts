/**
 * Mass messages (群发): add_msg_template only creates per-sender tasks (status 0); nothing reaches a customer
 * until the simulated staff member confirms (`confirmMassSend`), which flips the task to 2 and each row to
 * 1 sent / 2 not a friend / 3 monthly quota used up. get_groupmsg_list_v2 lists them by creation time.
 * https://developer.work.weixin.qq.com/document/path/92135, /93338
 */
import { checkMessageContent } from './acquisition.route.ts';
import { optionalList, optionalNumber, optionalObject, optionalStrings, optionalText, page, pageLimit, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { nowSeconds } from './wecom-sim-context.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { SimCustomer, SimFollowUser, SimMassRow, SimMassSend } from './wecom-state.ts';

const BEIJING_OFFSET_MS = 8 * 3_600_000;
/** get_groupmsg_list_v2: "at most one month apart" — the doc names no day count, so 30 days stand for it. */
const LIST_RANGE_SECONDS = 30 * 86_400;
/** get_groupmsg_list_v2: limit ≤100; a larger value (or none) means the default 50. */
const LIST_MAX_LIMIT = 100;
const LIST_DEFAULT_LIMIT = 50;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function latestFollower(customer: SimCustomer): SimFollowUser | undefined {
  return [...customer.follow_user].sort((a, b) => b.createtime - a.createtime)[0];
}

/** tag_filter: OR within a group's tag_list, AND across groups; ≤100 tags per group (81017), known tags (40068). */
function tagMatcher(sim: WecomSim, body: Record<string, unknown>): ((tagIds: string[]) => boolean) | undefined {
  const filter = optionalObject(body, 'tag_filter');
  if (!filter) return undefined;
  const groups = (optionalList(filter, 'group_list') ?? []).map((g) => {
    const tags = optionalStrings((g ?? {}) as Record<string, unknown>, 'tag_list') ?? [];
    if (tags.length > sim.limits.massTagsPerGroup) fail(81017, `more than ${sim.limits.massTagsPerGroup} tags in one group`);
    for (const id of tags) if (!sim.state.findTag(id)) fail(40068, `invalid tag id ${id}`);
    return tags;
  });
  return (tagIds) => groups.every((tags) => tags.some((id) => tagIds.includes(id)));
}

function singleTargets(sim: WecomSim, body: Record<string, unknown>, sender: string | undefined) {
  const { state, limits } = sim;
  const ids = optionalStrings(body, 'external_userid') ?? [];
  // "不可与sender同时为空": Tencent never reads an empty request as "every customer of the corp". The doc names no
  // code for it; 40058 is WeCom's "parameter does not meet the API's requirements".
  if (ids.length === 0 && !sender) fail(40058, 'external_userid and sender can not both be empty');
  if (ids.length > limits.massExternalUserids) fail(81017, `more than ${limits.massExternalUserids} external_userid`);
  const matches = tagMatcher(sim, body);
  const targets: SimMassRow[] = [];
  const failList: string[] = [];
  const pick = (customer: SimCustomer) => (sender ? state.follower(sender, customer.external_userid) : latestFollower(customer));
  if (ids.length > 0) {
    for (const id of new Set(ids)) {
      const customer = state.customers.get(id);
      const follower = customer && pick(customer);
      if (follower) targets.push({ userid: follower.userid, external_userid: id, status: 0 });
      else failList.push(id);
    }
  } else {
    for (const customer of state.customersOf(sender!)) {
      const follower = pick(customer);
      if (follower && (!matches || matches(follower.tag_ids))) {
        targets.push({ userid: follower.userid, external_userid: customer.external_userid, status: 0 });
      }
    }
  }
  return { targets, failList };
}

function groupTargets(sim: WecomSim, body: Record<string, unknown>, sender: string | undefined) {
  if (!sender) fail(40058, 'sender is required for chat_type group');
  const ids = optionalStrings(body, 'chat_id_list') ?? [];
  if (ids.length > sim.limits.massChatIds) fail(81017, `more than ${sim.limits.massChatIds} chat ids`);
  const owned = [...sim.state.groupChats.values()].filter((c) => c.owner === sender).map((c) => c.chat_id);
  const chosen = ids.length > 0 ? ids.filter((id) => owned.includes(id)) : owned;
  const failList = ids.filter((id) => !owned.includes(id));
  return { targets: chosen.map((chat_id): SimMassRow => ({ userid: sender, chat_id, status: 0 })), failList };
}

function findMass(sim: WecomSim, body: Record<string, unknown>): SimMassSend {
  const mass = sim.state.massSends.get(requireText(body, 'msgid', 41046));
  if (!mass) fail(41047, 'invalid msgid');
  if (sim.clock.now() < mass.dispatchedAt) fail(41063, 'message is still being dispatched');
  return mass;
}

function deliveriesThisMonth(sim: WecomSim, externalUserid: string): number {
  const month = (d: Date) => new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 7);
  const current = month(sim.clock.now());
  return sim.state.massDeliveries.filter((d) => d.external_userid === externalUserid && month(d.at) === current).length;
}

function monthlyQuota(sim: WecomSim): number {
  if (sim.limits.massPerCustomerPerMonth !== null) return sim.limits.massPerCustomerPerMonth;
  const local = new Date(sim.clock.now().getTime() + BEIJING_OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
}

/** The simulated staff member confirms the task in their client. Idempotent; throws for an unknown msgid/userid. */
export function confirmMassSend(sim: WecomSim, msgid: string, userid: string): void {
  const mass = sim.state.massSends.get(msgid);
  const task = mass?.tasks.find((t) => t.userid === userid);
  if (!mass || !task) throw new Error(`no mass-send task ${msgid} for ${userid}`);
  if (task.status === 2) return;
  const sendTime = nowSeconds(sim);
  task.status = 2;
  task.send_time = sendTime;
  for (const row of mass.rows.filter((r) => r.userid === userid)) {
    row.send_time = sendTime;
    if (row.chat_id !== undefined) {
      row.status = sim.state.groupChats.has(row.chat_id) ? 1 : 2;
    } else if (!sim.state.follower(userid, row.external_userid!)) {
      row.status = 2;
    } else if (deliveriesThisMonth(sim, row.external_userid!) >= monthlyQuota(sim)) {
      row.status = 3;
    } else {
      row.status = 1;
      sim.state.massDeliveries.push({ msgid, external_userid: row.external_userid!, userid, at: sim.clock.now() });
    }
  }
}

/** One page of get_groupmsg_list_v2, oldest first; a range over a month → 40058 like the other invalid ranges. */
function listGroupMsgs(sim: WecomSim, body: Record<string, unknown>) {
  const chatType = optionalText(body, 'chat_type') ?? 'single';
  if (chatType !== 'single' && chatType !== 'group') fail(40058, 'invalid chat_type');
  const start = optionalNumber(body, 'start_time');
  const end = optionalNumber(body, 'end_time');
  if (start === undefined || end === undefined) fail(40058, 'start_time and end_time are required');
  if (end < start || end - start > LIST_RANGE_SECONDS) fail(40058, 'start_time and end_time must be at most one month apart');
  const creator = optionalText(body, 'creator');
  const filterType = optionalNumber(body, 'filter_type') ?? 2;
  if (filterType !== 0 && filterType !== 1 && filterType !== 2) fail(40058, 'invalid filter_type');
  const asked = optionalNumber(body, 'limit') ?? LIST_DEFAULT_LIMIT;
  const limit = asked < 1 || asked > LIST_MAX_LIMIT ? LIST_DEFAULT_LIMIT : asked;
  const listed = [...sim.state.massSends.values()].filter(
    (m) =>
      m.chat_type === chatType &&
      seconds(m.createdAt) >= start &&
      seconds(m.createdAt) <= end &&
      (filterType === 2 || m.create_type === filterType) &&
      (creator === undefined || m.creator === creator),
  );
  const slice = page(listed, body.cursor, limit);
  return {
    group_msg_list: slice.items.map((m) => ({
      msgid: m.msgid,
      ...(m.creator === undefined ? {} : { creator: m.creator }),
      create_time: String(seconds(m.createdAt)),
      create_type: m.create_type,
      ...(m.text ? { text: m.text } : {}),
      ...(m.attachments.length > 0 ? { attachments: m.attachments } : {}),
    })),
    next_cursor: slice.next_cursor,
  };
}

export function massSendRoutes(sim: WecomSim): ApiRoute[] {
  const { state, limits } = sim;
  return [
    {
      method: 'POST',
      api: 'externalcontact/add_msg_template',
      auth: true,
      handler: ({ body }) => {
        const chatType = optionalText(body, 'chat_type') ?? 'single';
        if (chatType !== 'single' && chatType !== 'group') fail(40058, 'invalid chat_type');
        const sender = optionalText(body, 'sender');
        if (sender !== undefined && !state.staff.has(sender)) fail(60111, 'sender not found');
        checkMessageContent(sim, body);
        const { targets, failList } = chatType === 'single' ? singleTargets(sim, body, sender) : groupTargets(sim, body, sender);
        if (targets.length === 0) fail(41048, 'no customer to send to');
        const now = sim.clock.now();
        const msgid = state.nextId('msgGAAA');
        const senders = [...new Set(targets.map((t) => t.userid))];
        const content = optionalText(optionalObject(body, 'text') ?? {}, 'content');
        state.massSends.set(msgid, {
          msgid,
          chat_type: chatType,
          body,
          create_type: 0,
          ...(content ? { text: { content } } : {}),
          attachments: optionalList(body, 'attachments') ?? [],
          createdAt: now,
          dispatchedAt: new Date(now.getTime() + sim.settings.massDispatchDelayMs),
          tasks: senders.map((userid) => ({ userid, status: 0 })),
          rows: targets,
        });
        return { fail_list: failList, msgid };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/get_groupmsg_list_v2',
      auth: true,
      handler: ({ body }) => listGroupMsgs(sim, body),
    },
    {
      method: 'POST',
      api: 'externalcontact/get_groupmsg_task',
      auth: true,
      handler: ({ body }) => {
        const mass = findMass(sim, body);
        const slice = page(mass.tasks, body.cursor, pageLimit(body, limits.groupMsgLimit, 500));
        return { task_list: slice.items, next_cursor: slice.next_cursor };
      },
    },
    {
      method: 'POST',
      api: 'externalcontact/get_groupmsg_send_result',
      auth: true,
      handler: ({ body }) => {
        const mass = findMass(sim, body);
        const userid = requireText(body, 'userid', 41009);
        const limit = pageLimit(body, limits.groupMsgLimit, 500);
        const slice = page(mass.rows.filter((r) => r.userid === userid), body.cursor, limit);
        return { send_list: slice.items, next_cursor: slice.next_cursor };
      },
    },
  ];
}
