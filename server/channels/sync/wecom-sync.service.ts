/**
 * `siyu sync wecom`: pulls every customer of the corp's active staff (batch/get_by_user) and every group they own
 * (groupchat/list, then groupchat/get per group) into the contact store, through the adapter's optional
 * capabilities. Idempotent (upserts only, the same ones the callbacks use) and resumable: the run's phase, staff
 * batch and cursor are saved after every page, so a run that failed or was killed continues where it stopped.
 */
import { ChannelError, type ChannelAdapter, type ContactDetail, type CustomerPage } from '../../../adapters/channel-adapter.ts';
import { BadRequestError, ConflictError } from '../../errors.ts';
import type { Logger } from 'pino';
import type { FollowRepository } from '../../contacts/index.ts';
import type { GroupsModule } from '../../groups/index.ts';
import type { OrgModule, StaffDto } from '../../org/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ChannelAccount, ChannelAccountRepository } from '../channel-account.repository.ts';
import { applyGroupDetail, upsertWecomCustomer, upsertWecomFollow, type WecomApplyDeps } from '../wecom-apply.ts';
import { leaseOwnerGone, processLeaseOwner } from '../../shared/process-lease.ts';
import type { SyncCounts, SyncRun, SyncRunRepository } from './sync-run.repository.ts';
import type { SyncPhase } from './sync-run.schema.ts';

/** batch/get_by_user and groupchat/list's owner_filter take at most 100 userids. */
const STAFF_PER_CALL = 100;
/** WeCom's "not external contact": asked about a member without customers, it refuses instead of listing none. */
const NO_CUSTOMERS = 84061;
/** Marks a saved cursor as "asking member by member": `${MEMBER_CURSOR}<index in the batch>:<vendor cursor>`. */
const MEMBER_CURSOR = 'siyu-member:';

/**
 * What a run did, over all its attempts: `contacts` distinct customers of the synced staff, `created` contacts new
 * to the store (customers and group members), `follows` relations applied, `groups` groups applied.
 */
export type SyncSummary = SyncCounts & { resumed: boolean };

/**
 * Reported after every saved page; `staffDone` counts staff whose batch is finished in this phase. `contacts` is
 * known once the customers phase is over (distinct people: the pages list one row per relation).
 */
export type SyncProgress = { phase: SyncPhase; staffDone: number; staffTotal: number; counts: SyncCounts; resumed: boolean };

export type WecomSyncOptions = {
  /** A WeCom channel account id; the default account without one. */
  accountId?: string;
  /** Abandon an unfinished run and start over. */
  restart?: boolean;
  /** Stops after the page in flight; the run stays resumable. */
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
};

/** The run stopped because its signal was aborted; it resumes on the next start. */
export class SyncInterruptedError extends Error {
  override readonly name = 'SyncInterruptedError';
}

/** What a sync reads and writes: the account and its adapter, staff from org, customers and groups through their faces. */
export type WecomSyncDeps = WecomApplyDeps & {
  channelAccounts: Pick<ChannelAccountRepository, 'resolve'>;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  org: Pick<OrgModule, 'listStaff'>;
  follows: Pick<FollowRepository, 'countCustomersOf'>;
  groups: Pick<GroupsModule, 'markDismissed'>;
  syncRuns: SyncRunRepository;
  clock: Clock;
  logger: Logger;
};

type Capable = Required<Pick<ChannelAdapter, 'listCustomersByStaff' | 'listGroupChatIds' | 'fetchGroupDetail'>>;

export class WecomSyncService {
  private readonly runs: SyncRunRepository;
  private readonly owner: string;
  private readonly concurrency: number;

  constructor(
    private readonly deps: WecomSyncDeps,
    opts: { owner?: string; concurrency?: number } = {},
  ) {
    this.runs = deps.syncRuns;
    this.owner = opts.owner ?? processLeaseOwner();
    this.concurrency = opts.concurrency ?? 8;
  }

  async run(opts: WecomSyncOptions = {}): Promise<SyncSummary> {
    const account = await this.deps.channelAccounts.resolve('wecom', opts.accountId);
    const adapter = capable(this.deps.adapterFor(account));
    const { run, resumed } = await this.open(account, opts.restart ?? false);
    try {
      const counts = await this.pull(run, adapter, resumed, opts);
      await this.runs.release(run, this.owner, 'done');
      return { ...counts, resumed };
    } catch (err) {
      const interrupted = err instanceof SyncInterruptedError;
      // Best effort: a run left claimed is taken over once its lease lapses (or at once when this process is gone).
      await this.runs.release(run, this.owner, interrupted ? 'interrupted' : 'failed', interrupted ? undefined : (err as Error).message).catch(() => undefined);
      throw err;
    }
  }

  /** Resumes the account's unfinished run, or starts one with a snapshot of the corp's active staff. */
  private async open(account: ChannelAccount, restart: boolean): Promise<{ run: SyncRun; resumed: boolean }> {
    const unfinished = await this.runs.findUnfinished(account.corpId, account.id);
    const gone = unfinished?.leaseOwner && leaseOwnerGone(unfinished.leaseOwner) ? unfinished.leaseOwner : undefined;
    if (unfinished && !restart) {
      const claimed = await this.runs.claim(unfinished, this.owner, gone);
      if (!claimed) throw busy(unfinished);
      return { run: claimed, resumed: true };
    }
    if (unfinished && !(await this.runs.abandon(unfinished, this.owner, gone))) throw busy(unfinished);
    const staff = await this.deps.org.listStaff({ corpId: account.corpId, storeIds: null }, { status: 'active' });
    if (!staff.length) this.deps.logger.warn({ corpId: account.corpId }, 'no active staff in corp %s: nothing to sync', account.corpId);
    const run = await this.runs.start({ corpId: account.corpId, accountId: account.id, staffUserIds: staff.map((s) => s.userId) }, this.owner);
    return { run, resumed: false };
  }

  private async pull(run: SyncRun, adapter: Capable, resumed: boolean, opts: WecomSyncOptions): Promise<SyncCounts> {
    const { corpId } = run;
    const staffByUserId = new Map((await this.deps.org.listStaff({ corpId, storeIds: null })).map((s) => [s.userId, s]));
    const batches = chunk(run.staffUserIds, STAFF_PER_CALL);
    const counts = { ...run.counts };
    let { phase, batch, cursor } = run;
    const report = () => opts.onProgress?.({ phase, staffDone: Math.min(batch * STAFF_PER_CALL, run.staffUserIds.length), staffTotal: run.staffUserIds.length, counts: { ...counts }, resumed });
    const save = async (add: SyncCounts) => {
      await this.runs.advance(run, this.owner, { phase, batch, cursor, add });
      for (const k of Object.keys(add) as (keyof SyncCounts)[]) counts[k] += add[k];
      report();
    };
    report();

    while (phase !== 'done') {
      const userIds = batches[batch];
      if (!userIds) {
        // This phase has asked about every batch: on to the next one.
        if (phase === 'customers') {
          // Distinct people, counted once in the store: a customer of several staff appears once per relation in the pages.
          const contacts = await this.deps.follows.countCustomersOf(corpId, run.staffUserIds);
          [phase, batch, cursor] = ['groups', 0, null];
          await save({ ...zero(), contacts: contacts - counts.contacts });
        } else {
          phase = 'done';
        }
        continue;
      }
      if (opts.signal?.aborted) throw new SyncInterruptedError('同步已中断，再次运行即可继续 Sync interrupted; run it again to resume');
      const add =
        phase === 'customers'
          ? await this.customersPage(corpId, adapter, userIds, cursor, staffByUserId)
          : await this.groupsPage(corpId, adapter, userIds, cursor);
      cursor = add.nextCursor;
      if (!cursor) batch++;
      await save(add.counts);
    }
    return counts;
  }

  /** One page of batch/get_by_user: a contact per customer (its pairs grouped), a follow per pair. */
  private async customersPage(corpId: string, adapter: Capable, userIds: string[], cursor: string | null, staffByUserId: Map<string, StaffDto>) {
    const page = await customerPage(adapter, userIds, cursor);
    const byCustomer = new Map<string, ContactDetail[]>();
    for (const item of page.items) byCustomer.set(item.externalUserId, [...(byCustomer.get(item.externalUserId) ?? []), item]);
    const add = zero();
    await eachLimit([...byCustomer.values()], this.concurrency, async (pairs) => {
      const [first] = pairs as [ContactDetail, ...ContactDetail[]];
      const relations = pairs.flatMap((p) => p.follows);
      const staffOf = (userId: string) => staffByUserId.get(userId) ?? null;
      const { contact, created } = await upsertWecomCustomer(this.deps, corpId, first.externalUserId, first, { staff: staffOf(relations[0]?.staffUserId ?? '') });
      if (created) add.created++;
      for (const relation of relations) {
        const staff = staffOf(relation.staffUserId);
        if (!staff) continue;
        await upsertWecomFollow(this.deps, corpId, contact.id, staff, relation, { ...(relation.state !== null ? { state: relation.state } : {}), addedAt: relation.addedAt });
        add.follows++;
      }
    });
    return { counts: add, nextCursor: page.nextCursor };
  }

  /** One page of groupchat/list: each group fetched whole and applied with its membership history. */
  private async groupsPage(corpId: string, adapter: Capable, ownerUserIds: string[], cursor: string | null) {
    const page = await adapter.listGroupChatIds(ownerUserIds, cursor);
    const add = zero();
    await eachLimit(page.chatIds, this.concurrency, async (chatId) => {
      const detail = await adapter.fetchGroupDetail(chatId);
      const at = this.deps.clock.now();
      if (!detail) {
        // Dismissed between the list and the get.
        await this.deps.groups.markDismissed(corpId, chatId, at);
        return;
      }
      const { createdContacts } = await applyGroupDetail(this.deps, corpId, detail, at);
      add.groups++;
      add.created += createdContacts;
    });
    return { counts: add, nextCursor: page.nextCursor };
  }
}

/**
 * The next page of a staff batch's customers. A batch WeCom refuses with 84061 is asked again member by member
 * (the position kept in the saved cursor, so a resumed run goes on from there), and a member refused with 84061
 * has no customers: the run carries on with the next one.
 */
async function customerPage(adapter: Capable, userIds: string[], cursor: string | null): Promise<CustomerPage> {
  const member = memberPosition(cursor);
  if (!member) {
    const page = await noCustomersAsEmpty(adapter.listCustomersByStaff(userIds, cursor));
    if (page) return page;
    return { items: [], nextCursor: userIds.length > 1 ? memberCursor(0, null) : null };
  }
  const userId = userIds[member.index];
  if (userId === undefined) return { items: [], nextCursor: null };
  const page = (await noCustomersAsEmpty(adapter.listCustomersByStaff([userId], member.cursor))) ?? { items: [], nextCursor: null };
  const next = page.nextCursor ? memberCursor(member.index, page.nextCursor) : member.index + 1 < userIds.length ? memberCursor(member.index + 1, null) : null;
  return { items: page.items, nextCursor: next };
}

/** The page, or null when WeCom answered 84061. */
async function noCustomersAsEmpty(request: Promise<CustomerPage>): Promise<CustomerPage | null> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof ChannelError && err.errcode === NO_CUSTOMERS) return null;
    throw err;
  }
}

function memberCursor(index: number, cursor: string | null): string {
  return `${MEMBER_CURSOR}${index}:${cursor ?? ''}`;
}

function memberPosition(cursor: string | null): { index: number; cursor: string | null } | null {
  const match = cursor?.startsWith(MEMBER_CURSOR) ? /^(\d+):(.*)$/s.exec(cursor.slice(MEMBER_CURSOR.length)) : null;
  return match ? { index: Number(match[1]), cursor: match[2] || null } : null;
}

function capable(adapter: ChannelAdapter): Capable {
  const { listCustomersByStaff, listGroupChatIds, fetchGroupDetail } = adapter;
  if (!listCustomersByStaff || !listGroupChatIds || !fetchGroupDetail) throw new BadRequestError(`${adapter.kind} 渠道不能列出客户和群 The ${adapter.kind} adapter cannot list customers and groups`);
  return {
    listCustomersByStaff: listCustomersByStaff.bind(adapter),
    listGroupChatIds: listGroupChatIds.bind(adapter),
    fetchGroupDetail: fetchGroupDetail.bind(adapter),
  };
}

function busy(run: SyncRun): ConflictError {
  const until = run.leaseUntil ? ` until ${run.leaseUntil.toISOString()}` : '';
  return new ConflictError(`sync run ${run.id} is held by ${run.leaseOwner ?? 'another process'}${until}; wait for it or for its claim to lapse`);
}

const zero = (): SyncCounts => ({ contacts: 0, created: 0, follows: 0, groups: 0 });

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items`, at most `limit` at a time; after a failure no new item starts, and the first error is thrown once all have settled. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
