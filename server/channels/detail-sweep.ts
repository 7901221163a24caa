/**
 * Applies owed vendor details (detail-queue.ts): fetch, apply, settle; a failure backs the row off. Once an
 * account's API fails in a pass, that account's other rows wait for the next pass instead of each waiting out
 * a timeout. Applying is idempotent (upserts keyed on vendor ids), so a row applied twice changes nothing.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import type { Identity } from '../contacts/index.ts';
import type { GroupsModule } from '../groups/index.ts';
import { NotFoundError } from '../errors.ts';
import type { Metrics } from '../system/metrics.ts';
import type { ChannelAccount, ChannelAccountRepository } from './channel-account.repository.ts';
import type { DetailDueRepository, DetailDueRow } from './detail-due.repository.ts';
import { refusesOnlyThisId } from './detail-lookup.ts';
import { appIdOf } from './official-account.handler.ts';
import { applyContactDetail, applyGroupDetail, type WecomApplyDeps } from './wecom-apply.ts';

export type DetailSweepOutcome = { applied: number; deferred: number };

export type DetailSweepDeps = WecomApplyDeps & {
  owed: Pick<DetailDueRepository, 'due' | 'settled' | 'later' | 'count'>;
  channelAccounts: Pick<ChannelAccountRepository, 'get'>;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  groups: Pick<GroupsModule, 'markDismissed'>;
  metrics: Pick<Metrics, 'detailsOwedPending'>;
};

export async function settleOwedDetails(deps: DetailSweepDeps, logger: Logger, limit = 500): Promise<DetailSweepOutcome> {
  const queue = deps.owed;
  const failing = new Set<string>();
  const outcome: DetailSweepOutcome = { applied: 0, deferred: 0 };
  for (const row of await queue.due(limit)) {
    if (failing.has(row.accountId)) continue;
    try {
      await settleOne(deps, row);
      await queue.settled(row);
      outcome.applied++;
    } catch (err) {
      if (refusesOnlyThisId(err)) {
        // WeCom will never describe this id (e.g. an invalid external userid): the event's data is all there is.
        await queue.settled(row);
        logger.warn({ err, accountId: row.accountId, kind: row.kind, vendorId: row.vendorId }, 'owed vendor detail refused for good; kept what the event said');
        continue;
      }
      failing.add(row.accountId);
      await queue.later(row, (err as Error)?.message ?? String(err));
      outcome.deferred++;
      logger.warn({ err, accountId: row.accountId, kind: row.kind, vendorId: row.vendorId, attempts: row.attempts + 1 }, 'owed vendor detail still unavailable');
    }
  }
  deps.metrics.detailsOwedPending.set(await queue.count());
  return outcome;
}

async function settleOne(deps: DetailSweepDeps, row: DetailDueRow): Promise<void> {
  const account = await deps.channelAccounts.get(row.accountId).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  // The account was removed: nobody can fetch this detail any more.
  if (!account) return;
  const adapter = deps.adapterFor(account);
  if (row.kind === 'contact') {
    const detail = adapter.fetchContactDetail ? await adapter.fetchContactDetail(row.vendorId) : null;
    // Gone from WeCom (deleted since): the contact the event created stays as it is.
    if (detail) await applyContactDetail(deps, row.corpId, detail);
    return;
  }
  if (row.kind === 'follower') {
    const follower = adapter.fetchFollower ? await adapter.fetchFollower(row.vendorId) : null;
    if (!follower) return;
    const appId = appIdOf(account);
    const identities: Identity[] = [{ kind: 'openid', appId, openid: row.vendorId }];
    if (follower.unionId) identities.push({ kind: 'unionid', unionid: follower.unionId });
    await deps.identities.upsert(row.corpId, { identities, profile: follower.nickname ? { name: follower.nickname } : {} });
    return;
  }
  const detail = adapter.fetchGroupDetail ? await adapter.fetchGroupDetail(row.vendorId) : null;
  if (detail) await applyGroupDetail(deps, row.corpId, detail, row.occurredAt);
  else await deps.groups.markDismissed(row.corpId, row.vendorId, row.occurredAt);
}
