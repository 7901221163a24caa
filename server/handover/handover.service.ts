/**
 * Customer handover (在职 / 离职继承). `create` asks WeCom to move a member's customers (≤100 per call, grouped
 * by takeover member) and, optionally, their groups; WeCom answers per customer and the takeover happens after
 * 24 h unless the customer refuses. `pollDue` (scheduled by the caller) asks WeCom for the results of running
 * jobs and moves our own records of each customer taken over; refusals pushed by the transfer_fail callback
 * are settled at once (handover-settle.ts, an inbound reaction registered by handover.module.ts). `report` says what
 * moved and what failed, and why.
 */
import type { CustomerTransferState } from '../../adapters/channel-adapter.ts';
import { ChannelError } from '../../adapters/channel-adapter.ts';
import { describeVendorError } from '../../adapters/registry.ts';
import { BadRequestError, ConflictError, UnavailableError } from '../errors.ts';
import type { OrgModule } from '../org/index.ts';
import type { Clock } from '../shared/clock.ts';
import { corpScope, type Scope } from '../shared/scope.ts';
import { corpWecom, type CorpWecomDeps } from '../sidebar/index.ts';
import { moveCustomer, type MoveDeps } from './handover-move.ts';
import { finishIfSettled, POLL_INTERVAL_MS } from './handover-settle.ts';
import type { HandoverItemRow, HandoverRepository, HandoverRow, NewHandoverItem } from './handover.repository.ts';
import type { HandoverFailure, HandoverKind } from './handover.schema.ts';

export const TRANSFER_BATCH = 100;
/** WeCom takes a customer over 24 h after the request unless they refuse. */
const TAKEOVER_DELAY_MS = 24 * 3_600_000;
/** A transfer WeCom still does not list this long after the request will never show up. */
const UNLISTED_AFTER_MS = 48 * 3_600_000;
const NINETY_DAYS_MS = 90 * 24 * 3_600_000;
const TWICE = 2;
const MOVE_CONCURRENCY = 8;

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export type HandoverInput = {
  kind: HandoverKind;
  fromStaffId: string;
  /** Default takeover member: every customer without a per-customer target. */
  toStaffId?: string;
  /** Per-customer takeover members; with no `toStaffId`, only these customers move. */
  targets?: { contactId: string; toStaffId: string }[];
  includeGroups?: boolean;
  /** 在职继承: the text WeCom shows the customer (≤200 chars). */
  message?: string;
};

type Member = Awaited<ReturnType<OrgModule['getStaff']>>;

/** What a handover reads and changes outside its own rows, as the other domains' faces declare it. */
export type HandoverDeps = MoveDeps &
  CorpWecomDeps & {
    repo: HandoverRepository;
    org: Pick<OrgModule, 'getStaff' | 'staffByIds' | 'getStore'>;
    contacts: { externalIdsOf(corpId: string, ids: readonly string[]): Promise<Array<{ id: string; externalUserId: string | null; name: string | null }>> };
    follows: { liveContactIdsOfStaff(corpId: string, staffId: string): Promise<string[]> };
    groups: {
      ownedBy(corpId: string, ownerUserId: string): Promise<Array<{ chatId: string; name: string | null }>>;
      setOwner(corpId: string, chatId: string, owner: { userId: string; storeId: string }): Promise<void>;
    };
    clock: Clock;
  };

const REASONS: Partial<Record<CustomerTransferState['status'], HandoverFailure>> = { refused: 'customer_refused', limit_exceeded: 'customer_limit_exceed', no_record: 'no_record' };
/** Why a customer did not move, as staff read it (zh-CN first); `vendor_error` reads its errcode instead. */
const REASON_TEXT: Record<HandoverFailure, string> = {
  customer_refused: '客户拒绝了转接 Refused by the customer',
  customer_limit_exceed: '接替成员的客户数已达上限 The takeover member has reached the customer limit',
  transfer_limit_90d: '该客户 90 天内已转接过，暂不能再次转接 Already transferred within 90 days',
  no_record: '企业微信没有这次转接的记录 WeCom has no record of this transfer',
  vendor_error: '企业微信拒绝 WeCom refused',
  not_supported: '当前账号不支持转接客户 This account cannot transfer customers',
};
function handoverReasonText(reason: HandoverFailure | null | undefined, errcode: number | null | undefined): string | null {
  if (!reason) return null;
  return reason === 'vendor_error' && errcode !== null && errcode !== undefined ? describeVendorError(errcode) : REASON_TEXT[reason];
}

const failureOf = (errcode: number): HandoverFailure => (errcode === 40128 ? 'transfer_limit_90d' : 'vendor_error');

export class HandoverService {
  readonly repo: HandoverRepository;

  constructor(private readonly services: HandoverDeps) {
    this.repo = services.repo;
  }

  async create(scope: Scope, input: HandoverInput, createdBy: string) {
    const { org, clock } = this.services;
    const from = await org.getStaff(scope, input.fromStaffId);
    if (input.kind === 'on_job' && from.status !== 'active') throw new ConflictError(`${from.name} 已离职，请用离职继承（kind resigned） ${from.name} has resigned: use kind resigned`);
    if (input.kind === 'resigned' && from.status === 'active') throw new ConflictError(`${from.name} 仍在职，请先标记离职，或用在职继承（kind on_job） ${from.name} is still active: mark them resigned first, or use kind on_job`);
    if (!input.toStaffId && !input.targets?.length) throw new BadRequestError('请指定接替成员或接替名单 Give toStaffId or targets', [{ path: 'body.toStaffId', message: '没有 targets 时必填 required without targets' }]);
    const members = new Map<string, Member>();
    for (const id of new Set([input.toStaffId, ...(input.targets ?? []).map((t) => t.toStaffId)].filter((x): x is string => !!x))) {
      const to = await org.getStaff(scope, id);
      if (to.status !== 'active' || to.id === from.id) throw new BadRequestError(`${to.name} 不能接手客户 ${to.name} cannot take customers over`, [{ path: 'body', message: `店员 ${id} 已离职或就是被继承人 Staff ${id} is resigned or is the handover member` }]);
      members.set(id, to);
    }
    const wecom = await corpWecom(this.services, scope.corpId);
    if (!wecom?.adapter.transferCustomers) throw new UnavailableError('本企业没有可转接客户的企业微信账号，请先在「渠道账号」中配置 No WeCom account of this corp can transfer customers');

    const follows = (await this.services.follows.liveContactIdsOfStaff(scope.corpId, from.id)).map((contactId) => ({ contactId }));
    const contacts = new Map((await this.services.contacts.externalIdsOf(scope.corpId, follows.map((f) => f.contactId))).map((c) => [c.id, c]));
    const targetOf = new Map((input.targets ?? []).map((t) => [t.contactId, t.toStaffId]));
    const unknown = [...targetOf.keys()].filter((id) => !follows.some((f) => f.contactId === id));
    if (unknown.length) throw new BadRequestError(`以下客户不属于 ${from.name}：${unknown.join(', ')} Not customers of ${from.name}`, unknown.map((id) => ({ path: 'body.targets', message: `客户 ${id} 不是交接成员的客户 contact ${id} is not a customer of the handover member` })));

    const now = clock.now();
    const handoverId = await this.repo.create({ corpId: scope.corpId, kind: input.kind, fromStaffId: from.id, fromUserId: from.userId, storeId: from.storeId, includeGroups: !!input.includeGroups, message: input.message ?? null, createdBy });
    // WeCom refuses a third 在职 transfer within 90 days (40128); known from our history, it costs no call.
    const recent = input.kind === 'on_job' ? await this.repo.recentOnJobTransfers(scope.corpId, follows.map((f) => f.contactId), new Date(now.getTime() - NINETY_DAYS_MS)) : new Map<string, number>();
    const items: NewHandoverItem[] = [];
    const batches = new Map<string, NewHandoverItem[]>();
    for (const f of follows) {
      const contact = contacts.get(f.contactId);
      const toId = targetOf.get(f.contactId) ?? input.toStaffId;
      if (!contact?.externalUserId || !toId) continue;
      const to = members.get(toId)!;
      const item: NewHandoverItem = { corpId: scope.corpId, handoverId, kind: input.kind, contactId: f.contactId, externalUserId: contact.externalUserId, contactName: contact.name ?? '', fromStaffId: from.id, fromUserId: from.userId, toStaffId: to.id, toUserId: to.userId, status: 'waiting', reason: null, errcode: null, requestedAt: now };
      items.push(item);
      if ((recent.get(f.contactId) ?? 0) >= TWICE) Object.assign(item, { status: 'failed', reason: 'transfer_limit_90d', settledAt: now });
      else batches.set(to.userId, [...(batches.get(to.userId) ?? []), item]);
    }
    // Recorded before WeCom is asked: a crash after the call leaves rows the poll can still settle.
    await this.repo.insertItems(items);
    let open = false;
    for (const [toUserId, list] of batches) {
      for (let i = 0; i < list.length; i += TRANSFER_BATCH) {
        const chunk = list.slice(i, i + TRANSFER_BATCH);
        let outcomes: Map<string, number | null>;
        try {
          const reply = await wecom.adapter.transferCustomers({ kind: input.kind, handoverUserId: from.userId, takeoverUserId: toUserId, externalUserIds: chunk.map((c) => c.externalUserId), ...(input.message ? { message: input.message } : {}) });
          outcomes = new Map(reply.map((o) => [o.externalUserId, o.errcode]));
        } catch (err) {
          const errcode = err instanceof ChannelError ? err.errcode : null;
          outcomes = new Map(chunk.map((c) => [c.externalUserId, errcode ?? -1]));
        }
        const accepted = chunk.filter((c) => outcomes.get(c.externalUserId) === 0);
        if (accepted.length) await this.repo.setTakeover(scope.corpId, handoverId, accepted.map((c) => c.contactId), new Date(now.getTime() + TAKEOVER_DELAY_MS));
        open ||= accepted.length > 0;
        for (const item of chunk.filter((c) => outcomes.get(c.externalUserId) !== 0)) {
          const errcode = outcomes.get(item.externalUserId);
          await this.repo.failRequest(scope.corpId, handoverId, item.contactId, { reason: errcode === undefined ? 'no_record' : errcode === null || errcode === -1 ? 'vendor_error' : failureOf(errcode), errcode: errcode === undefined || errcode === -1 ? null : errcode, at: now });
        }
      }
    }
    const groups = input.includeGroups ? await this.transferGroups(scope.corpId, input.kind, from, members.get(input.toStaffId ?? [...members.keys()][0]!)!) : [];
    await this.repo.update(scope.corpId, handoverId, { groups, ...(open ? { nextPollAt: new Date(now.getTime() + POLL_INTERVAL_MS) } : { status: 'done', finishedAt: now }) });
    return this.report(scope, handoverId);
  }

  /** Groups the member owns get the new owner now (WeCom applies group transfers at once). */
  private async transferGroups(corpId: string, kind: HandoverKind, from: Member, to: Member) {
    const wecom = await corpWecom(this.services, corpId);
    const chats = await this.services.groups.ownedBy(corpId, from.userId);
    const out: { chatId: string; name: string; toUserId: string; status: 'moved' | 'failed'; errcode: number | null; reason: string | null }[] = [];
    for (let i = 0; i < chats.length; i += TRANSFER_BATCH) {
      const chunk = chats.slice(i, i + TRANSFER_BATCH);
      let failures = new Map<string, { errcode: number | null; message: string }>();
      try {
        if (!wecom?.adapter.transferGroups) throw new ChannelError({ errcode: null, message: 'this account cannot transfer groups', kind: 'config' });
        failures = new Map((await wecom.adapter.transferGroups(kind, chunk.map((c) => c.chatId), to.userId)).map((f) => [f.chatId, f]));
      } catch (err) {
        for (const c of chunk) failures.set(c.chatId, { errcode: err instanceof ChannelError ? err.errcode : null, message: (err as Error).message });
      }
      for (const c of chunk) {
        const failure = failures.get(c.chatId);
        if (!failure) await this.services.groups.setOwner(corpId, c.chatId, { userId: to.userId, storeId: to.storeId });
        out.push({ chatId: c.chatId, name: c.name ?? '', toUserId: to.userId, status: failure ? 'failed' : 'moved', errcode: failure?.errcode ?? null, reason: failure ? (failure.errcode === 40128 ? 'transfer_limit_90d' : failure.errcode !== null ? describeVendorError(failure.errcode) : `群转移失败 Group transfer failed: ${failure.message}`) : null });
      }
    }
    return out;
  }

  /** Polls every running job of the corp whose time has come; the caller schedules this (e.g. hourly). */
  async pollDue(corpId: string, now: Date): Promise<{ jobs: number; moved: number; failed: number; waiting: number }> {
    const totals = { jobs: 0, moved: 0, failed: 0, waiting: 0 };
    for (const job of await this.repo.due(corpId, now)) {
      const r = await this.poll(job, now);
      totals.jobs++;
      totals.moved += r.moved;
      totals.failed += r.failed;
      totals.waiting += r.waiting;
    }
    return totals;
  }

  /** Asks WeCom for the state of the job's open transfers (one listing per takeover member) and settles them. */
  async poll(job: HandoverRow, now: Date): Promise<{ moved: number; failed: number; waiting: number }> {
    const corpId = job.corpId;
    const counts = { moved: 0, failed: 0, waiting: 0 };
    const open = await this.repo.items(corpId, String(job._id), ['waiting', 'moving']);
    const wecom = await corpWecom(this.services, corpId);
    if (!wecom?.adapter.transferResults) return { ...counts, waiting: open.length };
    const byTakeover = new Map<string, HandoverItemRow[]>();
    for (const item of open) byTakeover.set(item.toUserId, [...(byTakeover.get(item.toUserId) ?? []), item]);
    for (const [toUserId, list] of byTakeover) {
      const states = new Map((await wecom.adapter.transferResults(job.kind, job.fromUserId, toUserId)).map((s) => [s.externalUserId, s]));
      // Customers are independent (each move touches only its own rows): a few at a time.
      await eachLimited(list, MOVE_CONCURRENCY, async (item) => {
        const state = states.get(item.externalUserId);
        if (item.status === 'moving' || state?.status === 'done') {
          await this.settleMoved(corpId, item, state?.takeoverAt ?? now, now);
          counts.moved++;
        } else if (state && REASONS[state.status]) {
          if (await this.repo.fail(corpId, { _id: item._id }, REASONS[state.status]!, null, now)) counts.failed++;
        } else if (!state && now.getTime() - item.requestedAt.getTime() > UNLISTED_AFTER_MS) {
          if (await this.repo.fail(corpId, { _id: item._id }, 'no_record', null, now)) counts.failed++;
        } else {
          await this.repo.markWaiting(corpId, item._id, state?.takeoverAt ?? item.takeoverAt ?? null);
          counts.waiting++;
        }
      });
    }
    await this.finishIfSettled(corpId, String(job._id), now);
    return counts;
  }

  private async settleMoved(corpId: string, item: HandoverItemRow, takeoverAt: Date, now: Date): Promise<void> {
    if (!(await this.repo.claim(corpId, item._id, takeoverAt))) return;
    const scope = corpScope(corpId);
    const [from, to] = await Promise.all([this.services.org.getStaff(scope, item.fromStaffId), this.services.org.getStaff(scope, item.toStaffId)]);
    const moved = await moveCustomer(this.services, corpId, { contactId: item.contactId, from, to, at: takeoverAt, key: String(item._id) });
    await this.repo.markMoved(corpId, item._id, moved, now);
  }

  private finishIfSettled(corpId: string, handoverId: string, now: Date): Promise<void> {
    return finishIfSettled(this.repo, corpId, handoverId, now);
  }

  async report(scope: Scope, id: string) {
    const job = await this.repo.get(scope, id);
    const items = await this.repo.items(scope.corpId, id);
    const staffIds = [...new Set([job.fromStaffId, ...items.map((i) => i.toStaffId)])];
    const names = new Map((await this.services.org.staffByIds(scope.corpId, staffIds)).map((s) => [s.id, s.name]));
    const byReason: Record<string, number> = {};
    for (const i of items) if (i.status === 'failed' && i.reason) byReason[i.reason] = (byReason[i.reason] ?? 0) + 1;
    const count = (status: string) => items.filter((i) => i.status === status).length;
    return {
      id,
      kind: job.kind,
      status: job.status,
      from: { staffId: job.fromStaffId, name: names.get(job.fromStaffId) ?? null, userId: job.fromUserId },
      createdAt: job.createdAt,
      finishedAt: job.finishedAt ?? null,
      nextPollAt: job.nextPollAt ?? null,
      counts: { total: items.length, waiting: count('waiting') + count('moving'), moved: count('moved'), failed: count('failed'), byReason },
      customers: items.map((i) => ({
        contactId: i.contactId,
        name: i.contactName,
        externalUserId: i.externalUserId,
        to: { staffId: i.toStaffId, name: names.get(i.toStaffId) ?? null },
        status: i.status === 'moving' ? 'waiting' : i.status,
        reason: i.reason ?? null,
        reasonText: handoverReasonText(i.reason as HandoverFailure | null, i.errcode),
        errcode: i.errcode ?? null,
        takeoverAt: i.takeoverAt ?? null,
        settledAt: i.settledAt ?? null,
        moved: i.moved ?? null,
      })),
      groups: job.groups,
    };
  }
}
