/**
 * What the handover APIs of the simulator remember: every customer transfer requested (pending ones settle after
 * 24 h, or on demand through the control), group ownership changes, and which members resigned.
 */
import type { WecomSim } from './wecom-sim-context.ts';
import type { WecomSimState } from './wecom-state.ts';

export type TransferKind = 'on_job' | 'resigned';
/** status: 1 接替完毕, 2 等待接替, 3 客户拒绝, 4 接替成员客户达到上限. */
export type SimTransfer = {
  kind: TransferKind;
  handover: string;
  takeover: string;
  external_userid: string;
  requestedAt: number;
  /** The planned (status 2) or actual (1) takeover time, ms. */
  takeoverAt: number;
  status: 1 | 2 | 3 | 4;
};
export type SimGroupTransfer = { kind: TransferKind; chat_id: string; from: string; to: string; at: number };

export const TRANSFER_DELAY_MS = 24 * 3_600_000;
export const TRANSFER_WINDOW_MS = 90 * 24 * 3_600_000;
/** 在职继承: each customer at most twice in 90 natural days (40128); groups: twice in 90 days too. */
export const TRANSFERS_PER_WINDOW = 2;
export const TRANSFER_BATCH = 100;

export class TransferState {
  readonly transfers: SimTransfer[] = [];
  readonly groupTransfers: SimGroupTransfer[] = [];
  readonly resigned = new Set<string>();

  constructor(readonly sim: WecomSim) {}

  pending(external_userid: string): SimTransfer | undefined {
    return this.transfers.find((t) => t.external_userid === external_userid && t.status === 2);
  }

  recentCount(external_userid: string, now: number): number {
    return this.transfers.filter((t) => t.kind === 'on_job' && t.external_userid === external_userid && t.status !== 3 && t.requestedAt > now - TRANSFER_WINDOW_MS).length;
  }

  /** Takes the customer over: the takeover member follows it with the handover's remark and tags; the handover's relation ends. */
  complete(t: SimTransfer, at: number): void {
    t.status = 1;
    t.takeoverAt = at;
    const customer = this.sim.state.customers.get(t.external_userid);
    if (!customer) return;
    const from = customer.follow_user.find((f) => f.userid === t.handover);
    if (!customer.follow_user.some((f) => f.userid === t.takeover)) {
      customer.follow_user.push({
        userid: t.takeover,
        remark: from?.remark ?? '',
        description: from?.description ?? '',
        createtime: Math.floor(at / 1000),
        tag_ids: [...(from?.tag_ids ?? [])],
        remark_mobiles: [...(from?.remark_mobiles ?? [])],
        oper_userid: t.takeover,
        add_way: from?.add_way ?? 0,
        ...(from?.state === undefined ? {} : { state: from.state }),
      });
    }
    customer.follow_user = customer.follow_user.filter((f) => f.userid !== t.handover);
  }

  /** Pending transfers whose 24 hours are over take effect (what WeCom does on its own). */
  settleDue(now: number): void {
    for (const t of this.transfers) if (t.status === 2 && t.takeoverAt <= now) this.complete(t, t.takeoverAt);
  }
}

const states = new WeakMap<WecomSimState, TransferState>();

export function transferStateOf(sim: WecomSim): TransferState {
  let state = states.get(sim.state);
  if (!state) {
    state = new TransferState(sim);
    states.set(sim.state, state);
  }
  return state;
}
