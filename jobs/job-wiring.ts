/**
 * Composition for jobs: gives each catalog job's handler the narrow dependencies it declares, taken from the
 * module graph. The one file in jobs/ that reads the graph as a whole (besides the scheduler, which passes it
 * here), so a handler's dependencies can be read from its own type and faked in a unit spec.
 */
import type { Logger } from 'pino';
import type { Modules } from '../server/modules.ts';
import type { JobRunners } from './catalog.ts';
import { heartbeatHandler } from './heartbeat.job.ts';
import { kfRollupHandler } from './kf-rollup.job.ts';
import { detailSweepHandler, inboxReviveHandler } from './inbound-recovery.job.ts';
import { sopRollupHandler, taskDigestHandler } from './store-daily.job.ts';
import { autoWinnerSweepHandler, campaignTickHandler, handoverPollHandler, liveCodeRefreshHandler } from './sweeps.job.ts';
import { kfAnswerTestSweepHandler } from './kf-answer-tests.job.ts';
import { kfIdleEndHandler } from './kf-idle.job.ts';

export type JobProcess = {
  /** `host:pid`, the agenda name of this scheduler process. */
  processId: string;
  roles: string[];
  logger: Logger;
  /** Where staff open their task list (the 09:00 cards link there). */
  staffPageUrl: string;
};

export function wireJobs(services: Modules, proc: JobProcess): JobRunners {
  const { clock } = services;
  const { logger } = proc;
  return {
    heartbeat: (p) => heartbeatHandler(p, { heartbeats: services.heartbeats, clock, processId: proc.processId, roles: proc.roles }),
    taskDigest: (p) => taskDigestHandler(p, { sendTaskDigests: (day) => services.daily.sendTaskDigests(day, proc.staffPageUrl), logger }),
    sopRollup: (p) => sopRollupHandler(p, { rollupStoreDay: (day) => services.daily.rollupStoreDay(day) }),
    kfRollup: (p) => kfRollupHandler(p, { corps: () => services.kf.rollup.corps(), day: (corpId, day) => services.kf.rollup.day(corpId, day), recent: (corpId) => services.kf.rollup.recent(corpId), logger }),
    autoWinnerSweep: (p) => autoWinnerSweepHandler(p, { sweepAutoWinners: () => services.experiments.sweepAutoWinners(), logger }),
    liveCodeRefresh: (p) =>
      liveCodeRefreshHandler(p, {
        corpsWithActiveCodes: () => services.liveCodes.corpsWithActiveCodes(),
        refreshAll: (scope) => services.liveCodes.service.refreshAll(scope),
        logger,
      }),
    handoverPoll: (p) =>
      handoverPollHandler(p, {
        corpsWithRunningHandovers: () => services.handover.corpsWithRunningHandovers(),
        pollDue: (corpId, now) => services.handover.pollDue(corpId, now),
        clock,
        logger,
      }),
    campaignTick: (p) =>
      campaignTickHandler(p, {
        corpsWithRunningCampaigns: () => services.campaigns.campaigns.corpsWithRunning(),
        tick: (corpId, now) => services.campaigns.tick(corpId, now),
        clock,
        logger,
      }),
    detailSweep: (p) => detailSweepHandler(p, { settleOwedDetails: () => services.channels.settleOwedDetails(logger), logger }),
    inboxRevive: (p) =>
      inboxReviveHandler(p, {
        reviveFailed: () => services.channels.inbox.reviveFailed(),
        onRevived: (n) => {
          services.metrics.inboxRevived.inc(n);
          services.channels.signals.emit('inbound');
        },
        logger,
      }),
    kfAnswerTestSweep: (p) => kfAnswerTestSweepHandler(p, { settleAnswerTests: (now) => services.kf.settleAnswerTests(now), clock, logger }),
    kfIdleEnd: (p) => kfIdleEndHandler(p, { endIdleSessions: (now) => services.kf.endIdleSessions(now), clock, logger }),
  };
}
