/** After a vendor or database outage: owed details are fetched, and rows that failed for a transient cause are retried. */
import type { Logger } from 'pino';
import type { JobHandler } from './catalog.ts';

export type DetailSweepDeps = {
  settleOwedDetails: () => Promise<{ applied: number; deferred: number }>;
  logger: Logger;
};

export const detailSweepHandler: JobHandler<'detailSweep', DetailSweepDeps> = async (_payload, deps) => {
  const outcome = await deps.settleOwedDetails();
  if (outcome.applied || outcome.deferred) deps.logger.info(outcome, 'owed vendor details swept');
};

export type InboxReviveDeps = {
  reviveFailed: () => Promise<number>;
  /** Counts the revived rows and wakes a local inbound processor. */
  onRevived: (n: number) => void;
  logger: Logger;
};

export const inboxReviveHandler: JobHandler<'inboxRevive', InboxReviveDeps> = async (_payload, deps) => {
  const revived = await deps.reviveFailed();
  if (!revived) return;
  deps.onRevived(revived);
  deps.logger.info({ revived }, 'inbox rows failed by an outage put back to pending');
};
