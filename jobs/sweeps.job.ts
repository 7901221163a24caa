/**
 * Corp-wide sweeps agenda runs every few minutes (one process at a time, by agenda's lock). Each sweep declares
 * what it needs: the corps it applies to and the one operation it runs per corp.
 */
import type { Logger } from 'pino';
import type { Clock } from '../server/shared/clock.ts';
import type { Scope } from '../server/shared/scope.ts';
import type { JobHandler } from './catalog.ts';

export type AutoWinnerSweepDeps = {
  sweepAutoWinners: () => Promise<Array<{ corpId: string; experimentId: string; arm: string }>>;
  logger: Logger;
};

export const autoWinnerSweepHandler: JobHandler<'autoWinnerSweep', AutoWinnerSweepDeps> = async (_payload, deps) => {
  const decided = await deps.sweepAutoWinners();
  if (decided.length) deps.logger.info({ decided }, 'auto-winner decided');
};

export type LiveCodeRefreshDeps = {
  corpsWithActiveCodes: () => Promise<string[]>;
  refreshAll: (scope: Scope) => Promise<{ expired: number; changed: number }>;
  logger: Logger;
};

/** Every corp with active live codes: a duty-hours boundary or an expiry date takes effect within 5 minutes. */
export const liveCodeRefreshHandler: JobHandler<'liveCodeRefresh', LiveCodeRefreshDeps> = async (_payload, deps) => {
  for (const corpId of await deps.corpsWithActiveCodes()) {
    const outcome = await deps.refreshAll({ corpId, storeIds: null });
    if (outcome.expired || outcome.changed) deps.logger.info({ corpId, ...outcome }, 'live codes refreshed');
  }
};

export type HandoverPollDeps = {
  corpsWithRunningHandovers: () => Promise<string[]>;
  pollDue: (corpId: string, now: Date) => Promise<{ jobs: number }>;
  clock: Clock;
  logger: Logger;
};

/** Every corp with a handover due for a poll: WeCom settles transfers within 24 h, so every 15 minutes is plenty. */
export const handoverPollHandler: JobHandler<'handoverPoll', HandoverPollDeps> = async (_payload, deps) => {
  const now = deps.clock.now();
  for (const corpId of await deps.corpsWithRunningHandovers()) {
    const outcome = await deps.pollDue(corpId, now);
    if (outcome.jobs) deps.logger.info({ corpId, ...outcome }, 'handovers polled');
  }
};

export type CampaignTickDeps = {
  corpsWithRunningCampaigns: () => Promise<string[]>;
  tick: (corpId: string, now: Date) => Promise<object>;
  clock: Clock;
  logger: Logger;
};

/**
 * Every corp with a running campaign. One process at a time (agenda's lock): two concurrent assignment passes
 * could each fill the same staff member's daily quota.
 */
export const campaignTickHandler: JobHandler<'campaignTick', CampaignTickDeps> = async (_payload, deps) => {
  const now = deps.clock.now();
  for (const corpId of await deps.corpsWithRunningCampaigns()) {
    const outcome = await deps.tick(corpId, now);
    if (Object.values(outcome).some((n) => typeof n === 'number' && n > 0)) deps.logger.info({ corpId, ...outcome }, 'campaigns tick');
  }
};
