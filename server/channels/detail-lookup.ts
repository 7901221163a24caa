/**
 * The inline detail fetch of an inbound event, bounded: an event never waits on the vendor longer than
 * DETAIL_BUDGET_MS (a welcome code dies 20 s after the add, and the processor handles one row at a time), and
 * after a failure the account's lookups are skipped for OUTAGE_PAUSE_MS, so an outage costs each queued event
 * a database write, not a timeout. What is not fetched is owed to the detail queue and applied by the sweep.
 */
import { ChannelError } from '../../adapters/channel-adapter.ts';
import type { Modules } from '../modules.ts';
import { DetailQueue, type DetailKind } from './detail-queue.ts';
import type { InboundContext } from './inbound-context.ts';

export const DETAIL_BUDGET_MS = 3_000;
export const OUTAGE_PAUSE_MS = 30_000;

export type Lookup<T> = { fetched: true; detail: T } | { fetched: false };

/** Per services (one app): account id → until when its inline lookups are skipped. */
const paused = new WeakMap<Modules, Map<string, number>>();

export function detailQueue(services: Modules): DetailQueue {
  return new DetailQueue(services.db.models, services.clock);
}

/**
 * Runs `fetch` within the budget. Any failure (or the budget running out) owes the detail and answers
 * `{ fetched: false }`: the event is applied without it. A detail WeCom says is gone (null) counts as fetched.
 */
export async function lookUpDetail<T>(ctx: InboundContext, kind: DetailKind, vendorId: string, occurredAt: Date, fetch: () => Promise<T>, budgetMs = DETAIL_BUDGET_MS): Promise<Lookup<T>> {
  const { services, account } = ctx;
  const pauses = paused.get(services) ?? new Map<string, number>();
  paused.set(services, pauses);
  const now = services.clock.now().getTime();
  const pausedUntil = pauses.get(account.id) ?? 0;
  let reason: string;
  if (pausedUntil > now) {
    reason = 'skipped: the vendor API failed moments ago';
  } else if (budgetMs <= 0) {
    reason = 'skipped: no time left before the welcome window closes';
  } else {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'budget'>((resolve) => (timer = setTimeout(() => resolve('budget'), Math.min(budgetMs, DETAIL_BUDGET_MS))));
    const call = fetch().then(
      (detail) => ({ ok: true as const, detail }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    const outcome = await Promise.race([call, budget]).finally(() => clearTimeout(timer));
    if (outcome !== 'budget' && outcome.ok) {
      pauses.delete(account.id);
      return { fetched: true, detail: outcome.detail };
    }
    reason = outcome === 'budget' ? `no answer within ${Math.min(budgetMs, DETAIL_BUDGET_MS)} ms` : ((outcome.err as Error)?.message ?? String(outcome.err));
    // A refusal about this one id says nothing about the API: the next event's lookup still runs.
    if (outcome === 'budget' || !refusesOnlyThisId(outcome.err)) pauses.set(account.id, now + OUTAGE_PAUSE_MS);
    services.logger.warn({ accountId: account.id, kind, vendorId, reason }, 'vendor detail unavailable; event applied without it, detail owed');
  }
  await detailQueue(services).owe(account, kind, vendorId, occurredAt, reason);
  services.metrics.detailsOwed.inc({ kind });
  return { fetched: false };
}

/** The vendor refused the request about this id (unknown or invalid id): asking again later will not help either. */
export function refusesOnlyThisId(err: unknown): boolean {
  return err instanceof ChannelError && (err.kind === 'invalid' || err.kind === 'recipient');
}
