/**
 * The SOP engine of a scheduler process: every tick it reads new trigger events, advances due runs and sends
 * due touches. Several scheduler processes may run it against one database; leases on the feed, the runs and
 * the touches keep every piece of work with one process at a time.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { TouchDispatcher, type DispatcherDeps } from './dispatcher.ts';
import { PublishReadBack, type ReadBackDeps } from './read-back.ts';
import { SopRunner, type RunnerDeps } from './runner.ts';
import type { SopRegistry } from './sop-registry.ts';
import { TriggerFeed, type TriggerFeedDeps } from './trigger-feed.ts';
import { fireDueSchedules, type ScheduleDeps } from './schedule-triggers.ts';
import type { TouchRenderer } from './touch-renderer.ts';

/** Everything the engine's parts need: the runner's, the dispatcher's, the feed's and the schedules' deps. */
export type SopEngineDeps = RunnerDeps & DispatcherDeps & TriggerFeedDeps & ScheduleDeps & ReadBackDeps;

export class SopEngine {
  readonly feed: TriggerFeed;
  readonly runner: SopRunner;
  readonly dispatcher: TouchDispatcher;
  /** Moments and group sends staff publish themselves: their outcome, read back from the vendor. */
  readonly readBack: PublishReadBack;
  private timer: NodeJS.Timeout | null = null;
  private minute: ScheduledTask | null = null;
  private ticking: Promise<void> | null = null;
  private halted = false;

  constructor(
    private readonly services: SopEngineDeps,
    private readonly registry: SopRegistry,
    render: TouchRenderer,
    owner: string,
    private readonly logger: Logger,
  ) {
    this.feed = new TriggerFeed(services, registry, owner);
    this.runner = new SopRunner(services, owner);
    this.dispatcher = new TouchDispatcher(services, owner, render);
    this.readBack = new PublishReadBack(services);
  }

  /** Schedule triggers, evaluated per store in its own time zone; node-cron calls it every minute. */
  async minuteTick(): Promise<number> {
    return fireDueSchedules(this.services, this.registry, this.services.clock.now());
  }

  /** One full pass; tests call it directly with a pinned clock. */
  async tick(): Promise<void> {
    while (!this.halted && (await this.feed.poll()) > 0);
    if (this.halted) return;
    await this.runner.drain();
    await this.dispatcher.drain();
    if (!this.halted) await this.readBack.drain();
  }

  start(intervalMs = 1000): void {
    this.minute = cron.schedule('* * * * *', () => void this.minuteTick().catch((err) => this.logger.error({ err }, 'schedule triggers failed')));
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = this.tick()
        .catch((err) => this.logger.error({ err }, 'sop engine tick failed'))
        .finally(() => (this.ticking = null));
    }, intervalMs);
    this.timer.unref();
  }

  /**
   * Takes no new work at once; waits up to `timeoutMs` for the tick in hand, then gives back the run and the
   * touches not yet sent. Resolves `true` when the tick finished in time.
   */
  async stop(timeoutMs = 10_000): Promise<boolean> {
    this.halted = true;
    this.runner.halt();
    this.dispatcher.halt();
    if (this.timer) clearInterval(this.timer);
    await this.minute?.stop();
    let timer: NodeJS.Timeout | undefined;
    const ticking = this.ticking ?? Promise.resolve();
    const finished = await Promise.race([ticking.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).finally(() => clearTimeout(timer));
    if (!finished) {
      const run = await this.runner.releaseCurrent().catch(() => false);
      const touches = await this.dispatcher.releaseUnsent().catch(() => 0);
      this.logger.warn({ run, touches }, 'sop work still in hand at shutdown; released for the next start');
    }
    return finished;
  }
}
