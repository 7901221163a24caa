/**
 * The inline detail fetch of an inbound event, bounded: an event never waits on the vendor longer than
 * DETAIL_BUDGET_MS (a welcome code dies 20 s after the add, and the processor handles one row at a time), and
 * after a failure the account's lookups are skipped for OUTAGE_PAUSE_MS, so an outage costs each queued event
 * a database write, not a timeout. What is not fetched is owed to the detail queue and applied by the sweep.
 */
import type { Logger } from 'pino';
import { ChannelError } from '../../adapters/channel-adapter.ts';
import type { Clock } from '../shared/clock.ts';
import type { Metrics } from '../system/metrics.ts';
import type { DetailDueRepository, DetailKind } from './detail-due.repository.ts';

export const DETAIL_BUDGET_MS = 3_000;
export const OUTAGE_PAUSE_MS = 30_000;

export type Lookup<T> = { fetched: true; detail: T } | { fetched: false };

export type DetailLookupDeps = {
  owed: Pick<DetailDueRepository, 'owe'>;
  clock: Clock;
  logger: Logger;
  metrics: Pick<Metrics, 'detailsOwed'>;
};

export class DetailLookup {
  /** Account id → until when its inline lookups are skipped (one map per app: the module holds this object). */
  private readonly paused = new Map<string, number>();

  constructor(private readonly deps: DetailLookupDeps) {}

  /**
   * Runs `fetch` within the budget (which it is told, so a call our own throttle would hold longer is not made).
   * Any failure (or the budget running out) owes the detail and answers `{ fetched: false }`: the event is applied
   * without it. A detail WeCom says is gone (null) counts as fetched.
   */
  async lookUp<T>(account: { id: string; corpId: string }, kind: DetailKind, vendorId: string, occurredAt: Date, fetch: (maxWaitMs: number) => Promise<T>, budgetMs = DETAIL_BUDGET_MS): Promise<Lookup<T>> {
    const { deps, paused } = this;
    const now = deps.clock.now().getTime();
    const pausedUntil = paused.get(account.id) ?? 0;
    let reason: string;
    if (pausedUntil > now) {
      reason = 'skipped: the vendor API failed moments ago';
    } else if (budgetMs <= 0) {
      reason = 'skipped: no time left for the detail before the welcome';
    } else {
      const limitMs = Math.min(budgetMs, DETAIL_BUDGET_MS);
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<'budget'>((resolve) => (timer = setTimeout(() => resolve('budget'), limitMs)));
      const call = fetch(limitMs).then(
        (detail) => ({ ok: true as const, detail }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      const outcome = await Promise.race([call, budget]).finally(() => clearTimeout(timer));
      if (outcome !== 'budget' && outcome.ok) {
        paused.delete(account.id);
        return { fetched: true, detail: outcome.detail };
      }
      reason = outcome === 'budget' ? `no answer within ${limitMs} ms` : ((outcome.err as Error)?.message ?? String(outcome.err));
      // A refusal about this one id says nothing about the API, and neither does a budget cut short (a welcome code
      // about to die: our own throttle's queue alone may take longer): the next event's lookup still runs. Paused
      // on those, one late welcome-code add in a burst sent every add of the next 30 s to the sweep.
      // A rate limit (WeCom's, or our throttle refusing a call it would hold past the budget) says "later": the
      // throttle paces the next calls, and a pause would only send them to the sweep.
      const outage = outcome === 'budget' ? budgetMs >= DETAIL_BUDGET_MS : !refusesOnlyThisId(outcome.err) && !rateLimited(outcome.err);
      if (outage) paused.set(account.id, now + OUTAGE_PAUSE_MS);
      deps.logger.warn({ accountId: account.id, kind, vendorId, reason }, 'vendor detail unavailable; event applied without it, detail owed');
    }
    await deps.owed.owe(account, kind, vendorId, occurredAt, reason);
    deps.metrics.detailsOwed.inc({ kind });
    return { fetched: false };
  }
}

function rateLimited(err: unknown): boolean {
  return err instanceof ChannelError && err.kind === 'rate_limited';
}

/** The vendor refused the request about this id (unknown or invalid id): asking again later will not help either. */
export function refusesOnlyThisId(err: unknown): boolean {
  return err instanceof ChannelError && (err.kind === 'invalid' || err.kind === 'recipient');
}
