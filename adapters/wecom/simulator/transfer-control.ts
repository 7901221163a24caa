/**
 * The test side of handover in the simulator: mark members resigned, and settle pending transfers now instead of
 * after 24 h — taken over, refused by the customer or over the takeover member's limit. Each refusal yields the
 * `transfer_fail` callback WeCom pushes (UserID = the takeover member) and each in-service takeover the
 * `del_external_contact` with Source DELETE_BY_TRANSFER; deliver them with `deliverCallback`.
 */
import { externalContactEvent } from './callback-events.ts';
import { transferStateOf } from './transfer-state.ts';
import type { SimTransfer } from './transfer-state.ts';
import type { WecomSim } from './wecom-sim-context.ts';

export type SettleOptions = { refuse?: string[]; limitExceeded?: string[] };

export class TransferSimControl {
  constructor(private readonly sim: WecomSim) {}

  /** The member left the company: 离职继承 may now move their customers and groups. */
  resign(userid: string): void {
    transferStateOf(this.sim).resigned.add(userid);
  }

  /** Every transfer requested so far, oldest first. */
  list(): readonly SimTransfer[] {
    return transferStateOf(this.sim).transfers;
  }

  /** Settles every pending transfer at once; customers in `refuse` / `limitExceeded` fail (status 3 / 4). */
  settle(options: SettleOptions = {}): { settled: SimTransfer[]; callbacks: string[] } {
    const state = transferStateOf(this.sim);
    const now = this.sim.clock.now().getTime();
    const settled: SimTransfer[] = [];
    const callbacks: string[] = [];
    const createTime = Math.floor(now / 1000);
    for (const t of state.transfers.filter((x) => x.status === 2)) {
      const refused = options.refuse?.includes(t.external_userid);
      const full = options.limitExceeded?.includes(t.external_userid);
      if (refused || full) {
        t.status = refused ? 3 : 4;
        const failReason = refused ? 'customer_refused' : 'customer_limit_exceed';
        callbacks.push(externalContactEvent({ corpId: this.sim.state.corpId, changeType: 'transfer_fail', userId: t.takeover, externalUserId: t.external_userid, failReason, createTime }));
      } else {
        state.complete(t, now);
        if (t.kind === 'on_job') {
          callbacks.push(externalContactEvent({ corpId: this.sim.state.corpId, changeType: 'del_external_contact', userId: t.handover, externalUserId: t.external_userid, source: 'DELETE_BY_TRANSFER', createTime }));
        }
      }
      settled.push(t);
    }
    return { settled, callbacks };
  }
}
