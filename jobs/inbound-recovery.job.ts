/** After a vendor or database outage: owed details are fetched, and rows that failed for a transient cause are retried. */
import { settleOwedDetails } from '../server/channels/detail-sweep.ts';
import type { JobHandler } from './scheduler.ts';

export const detailSweepHandler: JobHandler<'detailSweep'> = async (_payload, ctx) => {
  const outcome = await settleOwedDetails(ctx.services, ctx.logger);
  if (outcome.applied || outcome.deferred) ctx.logger.info(outcome, 'owed vendor details swept');
};

export const inboxReviveHandler: JobHandler<'inboxRevive'> = async (_payload, ctx) => {
  const revived = await ctx.services.inbox.reviveFailed();
  if (!revived) return;
  ctx.services.metrics.inboxRevived.inc(revived);
  ctx.logger.info({ revived }, 'inbox rows failed by an outage put back to pending');
  ctx.services.signals.emit('inbound');
};
