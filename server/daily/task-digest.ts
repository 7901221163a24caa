/**
 * The 09:00 card "今日任务" for every staff member of a store with open tasks today, sent through the corp's
 * WeCom app (message/send textcard) and linking to /m. Each card is a ledger row written before the call; a
 * retried job sends only the rows still pending, so a staff member gets one card a day.
 */
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { corpScope } from '../shared/scope.ts';
import type { TaskKind } from '../tasks/index.ts';
import type { DailyRepository } from './daily.repository.ts';

const KIND_LABEL: Record<TaskKind, string> = {
  mass_send_confirm: '群发确认',
  one_to_one: '一对一消息',
  moments: '朋友圈',
  group_send: '群消息',
  call: '电话回访',
  visit: '到店邀约',
  custom: '其他',
  add_friend: '添加好友',
};

export type DigestOutcome = { staff: number; sent: number; failed: number; unknownUsers: number; skipped?: string; retry?: boolean };

/** What the digest reads and writes: the store's staff, their open tasks, the cards, and the corp's WeCom app. */
export type DigestDeps<A> = {
  daily: Pick<DailyRepository, 'planDigest' | 'pendingDigests' | 'settleDigest'>;
  org: Pick<OrgModule, 'listStaff'>;
  tasks: { openOfStoreUpTo(corpId: string, storeId: string, localDate: string): Promise<Array<{ staffId: string; kind: string }>> };
  channelAccounts: { listForCorp(corpId: string): Promise<A[]> };
  adapterFor(account: A): Pick<ChannelAdapter, 'notifyStaff'>;
  clock: Clock;
};

export async function sendTaskDigests<A extends { kind: string; isDefault?: boolean }>(services: DigestDeps<A>, day: { corpId: string; storeId: string; localDate: string }, pageUrl: string): Promise<DigestOutcome> {
  const { corpId, storeId, localDate } = day;
  const staff = await services.org.listStaff(corpScope(corpId), { storeId, status: 'active' });
  const open = await services.tasks.openOfStoreUpTo(corpId, storeId, localDate);
  const byStaff = new Map<string, Map<TaskKind, number>>();
  for (const t of open) {
    const kinds = byStaff.get(t.staffId) ?? byStaff.set(t.staffId, new Map()).get(t.staffId)!;
    kinds.set(t.kind as TaskKind, (kinds.get(t.kind as TaskKind) ?? 0) + 1);
  }
  for (const s of staff) {
    const kinds = byStaff.get(s.id);
    if (!kinds) continue;
    const total = [...kinds.values()].reduce((a, b) => a + b, 0);
    await services.daily.planDigest(day, s, Object.fromEntries(kinds), total);
  }
  const pending = await services.daily.pendingDigests(day);
  const outcome: DigestOutcome = { staff: pending.length, sent: 0, failed: 0, unknownUsers: 0 };
  if (!pending.length) return outcome;
  const accounts = await services.channelAccounts.listForCorp(corpId);
  const account = accounts.find((a) => a.kind === 'wecom' && a.isDefault) ?? accounts.find((a) => a.kind === 'wecom');
  const adapter = account ? services.adapterFor(account) : null;
  if (!adapter?.notifyStaff) return { ...outcome, skipped: 'no_wecom_account' };
  // Cards differ per person (their counts), so one call each; WeCom allows 30 a minute per member, we send one a day.
  for (const row of pending) {
    const lines = Object.entries(row.counts).map(([kind, n]) => `${KIND_LABEL[kind as TaskKind] ?? kind} ${n} 项`);
    const res = await adapter.notifyStaff({
      userIds: [row.staffUserId],
      title: `今日任务 ${row.open} 项 · Today's tasks`,
      description: `${localDate}\n${lines.join('\n')}`,
      url: pageUrl,
      button: '去处理',
    });
    if (res.ok && !res.invalidUserIds.length) {
      await services.daily.settleDigest(corpId, row._id, { status: 'sent', vendorId: res.vendorId, sentAt: services.clock.now() });
      outcome.sent++;
    } else if (res.ok) {
      await services.daily.settleDigest(corpId, row._id, { status: 'unknown_user', vendorId: res.vendorId });
      outcome.unknownUsers++;
    } else if (res.error.retryable) {
      // Left pending: the job fails after this pass and agenda's retry sends what is still pending.
      outcome.failed++;
      outcome.retry = true;
    } else {
      // 81013 (no such member) is final; other refusals too: the staff member still sees the list in /m.
      await services.daily.settleDigest(corpId, row._id, { status: res.error.errcode === 81013 ? 'unknown_user' : 'failed', error: { errcode: res.error.errcode, message: res.error.message } });
      if (res.error.errcode === 81013) outcome.unknownUsers++;
      else outcome.failed++;
    }
  }
  return outcome;
}
