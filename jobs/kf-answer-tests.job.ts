/**
 * The 微信客服 answer A/B tests' outcomes: a tested answer's session that ended or fell silent without a handover is
 * a conversion of its arm, one that went to a person is not (server/kf/bot/answer-tests.ts).
 */
import type { Logger } from 'pino';
import type { Clock } from '../server/shared/clock.ts';
import type { JobHandler } from './catalog.ts';

export type KfAnswerTestSweepDeps = {
  settleAnswerTests: (now: Date) => Promise<{ resolved: number; handedOver: number }>;
  clock: Clock;
  logger: Logger;
};

export const kfAnswerTestSweepHandler: JobHandler<'kfAnswerTestSweep', KfAnswerTestSweepDeps> = async (_payload, deps) => {
  const settled = await deps.settleAnswerTests(deps.clock.now());
  if (settled.resolved || settled.handedOver) deps.logger.info(settled, 'kf answer tests settled');
};
