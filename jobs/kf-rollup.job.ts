/** The nightly 微信客服 numbers rollup (jobs/catalog.ts `kfRollup`). */
import type { Logger } from 'pino';
import type { JobHandler } from './catalog.ts';

export type KfRollupDeps = {
  /** Corps with sessions in the recent days. */
  corps: () => Promise<string[]>;
  /** Recomputes one past local day of a corp. */
  day: (corpId: string, localDate: string) => Promise<unknown>;
  /** Recomputes a corp's recent days (the nightly run); returns them. */
  recent: (corpId: string) => Promise<string[]>;
  logger: Logger;
};

/** One corp failing does not stop the others; the job then fails so agenda retries (a rerun replaces, never adds). */
export const kfRollupHandler: JobHandler<'kfRollup', KfRollupDeps> = async (p, deps) => {
  if (p.localDate && !p.corpId) throw new Error('kf rollup: a localDate needs its corpId');
  const corps = p.corpId ? [p.corpId] : await deps.corps();
  const failed: string[] = [];
  for (const corpId of corps) {
    try {
      const days = p.localDate ? (await deps.day(corpId, p.localDate), [p.localDate]) : await deps.recent(corpId);
      deps.logger.info({ corpId, days }, 'kf numbers rolled up');
    } catch (err) {
      failed.push(corpId);
      deps.logger.error({ err, corpId }, 'kf numbers rollup failed');
    }
  }
  if (failed.length) throw new Error(`kf rollup failed for ${failed.length} corp(s): ${failed.join(', ')}`);
};
