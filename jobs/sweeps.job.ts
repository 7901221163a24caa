/** Corp-wide sweeps agenda runs every few minutes (one process at a time, by agenda's lock). */
import { campaignsOf } from '../server/campaigns/campaign-module.ts';
import { handoverService } from '../server/handover/handover.service.ts';
import type { JobHandler } from './scheduler.ts';

export const autoWinnerSweepHandler: JobHandler<'autoWinnerSweep'> = async (_payload, ctx) => {
  const decided = await ctx.services.experiments.sweepAutoWinners();
  if (decided.length) ctx.logger.info({ decided }, 'auto-winner decided');
};

/** Every corp with active live codes: a duty-hours boundary or an expiry date takes effect within 5 minutes. */
export const liveCodeRefreshHandler: JobHandler<'liveCodeRefresh'> = async (_payload, ctx) => {
  const corpIds: string[] = await ctx.services.db.models.LiveCode.distinct('corpId', { status: 'active' });
  for (const corpId of corpIds) {
    const outcome = await ctx.services.liveCodes.service.refreshAll({ corpId, storeIds: null });
    if (outcome.expired || outcome.changed) ctx.logger.info({ corpId, ...outcome }, 'live codes refreshed');
  }
};

/** Every corp with a handover due for a poll: WeCom settles transfers within 24 h, so every 15 minutes is plenty. */
export const handoverPollHandler: JobHandler<'handoverPoll'> = async (_payload, ctx) => {
  const now = ctx.clock.now();
  const corpIds: string[] = await ctx.services.db.models.Handover.distinct('corpId', { status: 'running' });
  for (const corpId of corpIds) {
    const outcome = await handoverService(ctx.services).pollDue(corpId, now);
    if (outcome.jobs) ctx.logger.info({ corpId, ...outcome }, 'handovers polled');
  }
};

/**
 * Every corp with a running campaign. One process at a time (agenda's lock): two concurrent assignment passes
 * could each fill the same staff member's daily quota.
 */
export const campaignTickHandler: JobHandler<'campaignTick'> = async (_payload, ctx) => {
  const now = ctx.clock.now();
  const corpIds: string[] = await ctx.services.db.models.Campaign.distinct('corpId', { status: 'running' });
  for (const corpId of corpIds) {
    const outcome = await campaignsOf(ctx.services).tick(corpId, now);
    if (Object.values(outcome).some((n) => typeof n === 'number' && n > 0)) ctx.logger.info({ corpId, ...outcome }, 'campaigns tick');
  }
};
