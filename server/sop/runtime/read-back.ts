/**
 * The read-back of sends the staff member publishes themselves (moments, group mass sends: `readBack` touch
 * channels). The dispatcher leaves such a touch `awaiting` under a staff task; here, every READ_BACK_EVERY_MS,
 * the vendor is asked what became of it (ChannelAdapter.sendOutcome): published → the touch is sent and the task
 * done; refused → failed, with the vendor's error, and the task skipped with it; still pending → asked again
 * later. The staff member tapping 「完成」 on /m closes the task only: the touch is sent when WeCom says so, and not
 * before. A send nobody publishes within GIVE_UP_MS is skipped (`not_published`).
 */
import { ChannelError, type ChannelAdapter, type ChannelKind, type TouchChannelSpec } from '../../../adapters/channel-adapter.ts';
import type { ChannelAccount, ChannelAccountRepository } from '../../channels/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { TaskCloser } from '../../tasks/index.ts';
import type { ReadBackLedger, TouchRow } from '../ledger/index.ts';
import { sendAddresses, type ContactRouter } from './routing.ts';
import type { SopGroups } from './sop-ports.ts';

/** How often an awaiting send is asked about. */
export const READ_BACK_EVERY_MS = 60_000;
/** WeCom keeps a moment's jobid 24 h; a send still unpublished after a week is given up. */
const GIVE_UP_MS = 7 * 86_400_000;

export type ReadBackDeps = {
  ledger: ReadBackLedger;
  routing: Pick<ContactRouter, 'many'>;
  tasks: TaskCloser;
  clock: Clock;
  channelAccounts: Pick<ChannelAccountRepository, 'listForCorp'>;
  adapterFor(account: ChannelAccount): ChannelAdapter;
  touchChannelOf(channel: string): (TouchChannelSpec & { kind: ChannelKind }) | null;
  /** The groups a staff member owns: a staff-subject group send went to them. */
  groups: Pick<SopGroups, 'ownedBy'>;
};

export class PublishReadBack {
  constructor(private readonly services: ReadBackDeps) {}

  /** Checks every awaiting send whose check is due (at most `max` touches); returns how many touches it looked at. */
  async drain(max = 1_000): Promise<number> {
    let n = 0;
    while (n < max) {
      const now = this.services.clock.now();
      const rows = await this.services.ledger.touches.claimAwaiting(now, new Date(now.getTime() + READ_BACK_EVERY_MS));
      if (!rows.length) break;
      n += rows.length;
      await this.check(rows);
    }
    return n;
  }

  private async check(rows: TouchRow[]): Promise<void> {
    const head = rows[0]!;
    const { corpId } = head;
    const now = this.services.clock.now();
    const ids = rows.map((r) => r._id);
    if (head.sendStartedAt && now.getTime() - head.sendStartedAt.getTime() > GIVE_UP_MS) return this.fail(rows, { status: 'skipped', reason: 'not_published' });
    const channel = this.services.touchChannelOf(head.channel);
    const adapter = channel && (await this.adapterFor(corpId, channel.kind));
    if (!adapter?.sendOutcome || !adapter.buildTouchSend || !head.vendorId) return this.fail(rows, { status: 'failed', reason: 'no_channel_account' });
    const routings = await this.services.routing.many(corpId, rows.map((r) => r.contactId));
    const known = rows.filter((r) => routings.has(r.contactId));
    const { addresses, subjectOf } = await sendAddresses(this.services.groups, corpId, head.channel, known.map((r) => routings.get(r.contactId)!));
    const built = addresses.length ? adapter.buildTouchSend({ channel: head.channel, clientId: head.key, text: head.text ?? '', subjects: addresses }) : null;
    if (!built) return this.fail(rows, { status: 'failed', reason: 'no_channel_identity' });
    let outcome;
    try {
      outcome = await adapter.sendOutcome({ route: built.msg.route, sender: built.msg.sender ?? null, vendorId: head.vendorId });
    } catch (err) {
      // Asked again at the next check (already moved by the claim) unless the vendor will never answer it.
      if (err instanceof ChannelError && !err.retryable) return this.fail(rows, { status: 'failed', reason: `vendor:${err.errcode ?? err.kind}`, error: err });
      return;
    }
    if (outcome.state === 'pending') return this.services.ledger.touches.recheckAwaiting(corpId, ids, { checkAt: new Date(now.getTime() + READ_BACK_EVERY_MS), ...(outcome.vendorId ? { vendorId: outcome.vendorId } : {}) });
    if (outcome.state === 'failed') return this.fail(rows, { status: 'failed', reason: `vendor:${outcome.error.errcode ?? outcome.error.kind}`, error: outcome.error });
    const refusedIds = new Set(outcome.failedRecipientIds ?? []);
    // A subject is refused when every address it went to was refused (a staff member's groups: all of them).
    const refused = known.filter((_, i) => subjectOf.includes(i) && built.recipientIds.every((id, j) => subjectOf[j] !== i || refusedIds.has(id ?? '')));
    const sent = rows.filter((r) => !refused.includes(r));
    await this.services.ledger.touches.markSent(corpId, sent.map((r) => r._id), { vendorId: head.vendorId, text: head.text ?? '', at: now });
    await this.services.ledger.touches.settle(corpId, refused.map((r) => r._id), { status: 'failed', reason: 'vendor_refused_recipient' });
    await this.services.tasks.closeFromVendor(corpId, String(head._id), sent.length ? { status: 'done' } : { status: 'skipped', reason: 'vendor_refused_recipient' });
  }

  private async fail(rows: TouchRow[], outcome: { status: 'failed' | 'skipped'; reason: string; error?: ChannelError }): Promise<void> {
    const head = rows[0]!;
    const error = outcome.error ? { errcode: outcome.error.errcode, kind: outcome.error.kind, message: outcome.error.message } : undefined;
    await this.services.ledger.touches.settle(head.corpId, rows.map((r) => r._id), { status: outcome.status, reason: outcome.reason, ...(error ? { error } : {}) });
    await this.services.tasks.closeFromVendor(head.corpId, String(head._id), { status: 'skipped', reason: outcome.reason });
  }

  private async adapterFor(corpId: string, kind: ChannelKind): Promise<ChannelAdapter | null> {
    const accounts = await this.services.channelAccounts.listForCorp(corpId);
    const account = accounts.find((a) => a.kind === kind && a.isDefault) ?? accounts.find((a) => a.kind === kind);
    return account ? this.services.adapterFor(account) : null;
  }
}
