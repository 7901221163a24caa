/**
 * Customer and group handover: transfer_customer / transfer_result (在职继承, path/92125), resigned/transfer_customer
 * / resigned/transfer_result (离职继承, path/94081, /94082), groupchat/onjob_transfer and groupchat/transfer
 * (path/92127). ≤100 customers or groups per call (40058); per customer: 40096 unknown, 84061 not the handover
 * member's customer, 40128 moved twice in 90 days (在职 only), 40129 a transfer already pending. Accepted
 * transfers wait 24 h (status 2) unless settled earlier through `control.transfers`.
 * Assumptions where the docs name no code: a resigned transfer from an active member → 40003; a group given a
 * new owner twice in 90 days → 40128.
 */
import { optionalStrings, optionalText, page, requireText } from './sim-input.ts';
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { TRANSFER_BATCH, TRANSFER_DELAY_MS, TRANSFER_WINDOW_MS, TRANSFERS_PER_WINDOW, transferStateOf } from './transfer-state.ts';
import type { TransferKind } from './transfer-state.ts';
import type { WecomSim } from './wecom-sim-context.ts';

const RESULT_PAGE = 1000;

function members(sim: WecomSim, body: Record<string, unknown>, kind: TransferKind): { handover: string; takeover: string } {
  const handover = requireText(body, 'handover_userid', 40003);
  const takeover = requireText(body, 'takeover_userid', 40003);
  if (!sim.state.staff.has(handover) || !sim.state.staff.has(takeover)) fail(60111, 'userid not found');
  if (handover === takeover) fail(40058, 'handover_userid and takeover_userid are the same');
  const resigned = transferStateOf(sim).resigned;
  if (kind === 'resigned' && !resigned.has(handover)) fail(40003, 'handover_userid has not resigned');
  if (resigned.has(takeover)) fail(40003, 'takeover_userid has resigned');
  return { handover, takeover };
}

function transferRoute(sim: WecomSim, api: string, kind: TransferKind): ApiRoute {
  return {
    method: 'POST',
    api,
    auth: true,
    handler: ({ body }) => {
      const { handover, takeover } = members(sim, body, kind);
      const ids = optionalStrings(body, 'external_userid') ?? [];
      if (ids.length === 0 || ids.length > TRANSFER_BATCH) fail(40058, `external_userid takes 1–${TRANSFER_BATCH} customers`);
      const message = kind === 'on_job' ? optionalText(body, 'transfer_success_msg') : undefined;
      if (message !== undefined && [...message].length > 200) fail(40058, 'transfer_success_msg longer than 200 characters');
      const transfers = transferStateOf(sim);
      const now = sim.clock.now().getTime();
      transfers.settleDue(now);
      const customer = ids.map((external_userid) => {
        const errcode = !sim.state.customers.has(external_userid)
          ? 40096
          : !sim.state.follower(handover, external_userid)
            ? 84061
            : transfers.pending(external_userid)
              ? 40129
              : kind === 'on_job' && transfers.recentCount(external_userid, now) >= TRANSFERS_PER_WINDOW
                ? 40128
                : 0;
        if (errcode === 0) transfers.transfers.push({ kind, handover, takeover, external_userid, requestedAt: now, takeoverAt: now + TRANSFER_DELAY_MS, status: 2 });
        return { external_userid, errcode };
      });
      return { customer };
    },
  };
}

function resultRoute(sim: WecomSim, api: string, kind: TransferKind): ApiRoute {
  return {
    method: 'POST',
    api,
    auth: true,
    handler: ({ body }) => {
      const handover = requireText(body, 'handover_userid', 40003);
      const takeover = requireText(body, 'takeover_userid', 40003);
      const transfers = transferStateOf(sim);
      transfers.settleDue(sim.clock.now().getTime());
      const rows = transfers.transfers.filter((t) => t.kind === kind && t.handover === handover && t.takeover === takeover);
      const slice = page(rows, body.cursor, RESULT_PAGE);
      return {
        customer: slice.items.map((t) => ({ external_userid: t.external_userid, status: t.status, takeover_time: t.status === 1 || t.status === 2 ? Math.floor(t.takeoverAt / 1000) : 0 })),
        next_cursor: slice.next_cursor,
      };
    },
  };
}

function groupRoute(sim: WecomSim, api: string, kind: TransferKind): ApiRoute {
  return {
    method: 'POST',
    api,
    auth: true,
    handler: ({ body }) => {
      const chatIds = optionalStrings(body, 'chat_id_list') ?? [];
      if (chatIds.length === 0 || chatIds.length > TRANSFER_BATCH) fail(40058, `chat_id_list takes 1–${TRANSFER_BATCH} groups`);
      const newOwner = requireText(body, 'new_owner', 40003);
      if (!sim.state.staff.has(newOwner)) fail(60111, 'userid not found');
      const transfers = transferStateOf(sim);
      const now = sim.clock.now().getTime();
      const failed: { chat_id: string; errcode: number; errmsg: string }[] = [];
      for (const chatId of chatIds) {
        const chat = sim.state.groupChats.get(chatId);
        const recent = transfers.groupTransfers.filter((g) => g.chat_id === chatId && g.at > now - TRANSFER_WINDOW_MS).length;
        const refusal: [number, string] | null = !chat
          ? [40050, 'chatid not found']
          : kind === 'resigned' && !transfers.resigned.has(chat.owner)
            ? [40003, 'the owner has not resigned']
            : chat.owner === newOwner
              ? [40058, 'new_owner already owns the group']
              : recent >= TRANSFERS_PER_WINDOW
                ? [40128, 'group ownership transferred twice in 90 days']
                : null;
        if (refusal || !chat) {
          failed.push({ chat_id: chatId, errcode: refusal?.[0] ?? 40050, errmsg: refusal?.[1] ?? 'chatid not found' });
          continue;
        }
        transfers.groupTransfers.push({ kind, chat_id: chatId, from: chat.owner, to: newOwner, at: now });
        chat.owner = newOwner;
        if (kind === 'resigned') chat.status = 3;
        if (!chat.member_list.some((m) => m.userid === newOwner)) chat.member_list.push({ userid: newOwner, type: 1, join_time: Math.floor(now / 1000), join_scene: 1 });
      }
      return { failed_chat_list: failed };
    },
  };
}

export function transferRoutes(sim: WecomSim): ApiRoute[] {
  return [
    transferRoute(sim, 'externalcontact/transfer_customer', 'on_job'),
    resultRoute(sim, 'externalcontact/transfer_result', 'on_job'),
    transferRoute(sim, 'externalcontact/resigned/transfer_customer', 'resigned'),
    resultRoute(sim, 'externalcontact/resigned/transfer_result', 'resigned'),
    groupRoute(sim, 'externalcontact/groupchat/onjob_transfer', 'on_job'),
    groupRoute(sim, 'externalcontact/groupchat/transfer', 'resigned'),
  ];
}
