/**
 * 微信客服 sessions nobody talks in any more end (server/kf/session/kf-idle.ts): a bot-held or pool session silent
 * past the corp's limit moves to 已结束 at WeCom and here, so it gets a resolution time and a first-contact verdict.
 */
import type { Logger } from 'pino';
import type { Clock } from '../server/shared/clock.ts';
import type { JobHandler } from './catalog.ts';

export type KfIdleEndDeps = {
  endIdleSessions: (now: Date) => Promise<{ ended: number; refused: number }>;
  clock: Clock;
  logger: Logger;
};

export const kfIdleEndHandler: JobHandler<'kfIdleEnd', KfIdleEndDeps> = async (_payload, deps) => {
  const outcome = await deps.endIdleSessions(deps.clock.now());
  // A refusal is logged per session where it happens; this line says how the sweep went.
  if (outcome.ended || outcome.refused) deps.logger.info(outcome, 'kf idle sessions ended');
};
