/**
 * Runs the push-based channels (wechaty bots). A bot is one logged-in RPA session, so exactly one process may
 * run it: each account is guarded by a lease on its channel-account row, renewed while the bot runs and taken
 * over by another scheduler process when it lapses. Received events are recorded in the inbox like webhook
 * payloads, so processing, idempotency and retries are the same for every channel.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../../adapters/channel-adapter.ts';
import { channelKinds } from '../../adapters/registry.ts';
import type { Clock } from '../shared/clock.ts';
import type { ChannelAccount, ChannelAccountRepository } from './channel-account.repository.ts';
import type { InboundInbox } from './inbound-inbox.repository.ts';

export type PushListenerDeps = {
  channelAccounts: Pick<ChannelAccountRepository, 'listByKind' | 'acquireListenerLease' | 'releaseListenerLease'>;
  adapterFor: (account: ChannelAccount) => ChannelAdapter;
  inbox: Pick<InboundInbox, 'record'>;
  /** Emits 'inbound' once an event is recorded, so a local processor starts at once. */
  signals: EventEmitter;
  clock: Clock;
};

const LEASE_MS = 60_000;
const RENEW_MS = 20_000;

export class PushListeners {
  private readonly running = new Map<string, ChannelAdapter>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly deps: PushListenerDeps,
    private readonly logger: Logger,
    private readonly owner: string,
  ) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      if (this.stopped || this.ticking) return;
      this.ticking = this.tick()
        .catch((err) => this.logger.error({ err }, 'push listener tick failed'))
        .finally(() => (this.ticking = null));
    }, RENEW_MS);
    this.timer.unref();
  }

  /** Renews held leases, starts accounts whose lease this process can take, stops those it lost. */
  async tick(): Promise<void> {
    const { deps } = this;
    const now = deps.clock.now();
    const until = new Date(now.getTime() + LEASE_MS);
    const accounts = (await Promise.all(channelKinds({ push: true }).map((kind) => deps.channelAccounts.listByKind(kind)))).flat();
    for (const account of accounts) {
      if (this.stopped) return;
      const held = await deps.channelAccounts.acquireListenerLease(account.id, this.owner, until, now);
      const adapter = this.running.get(account.id);
      if (!held) {
        if (adapter) await this.stopOne(account.id, adapter);
        continue;
      }
      if (adapter) continue;
      const fresh = deps.adapterFor(account);
      if (!fresh.listen) continue;
      this.running.set(account.id, fresh);
      try {
        await fresh.listen(async (_event, envelope) => {
          await deps.inbox.record(account, envelope, fresh);
          deps.signals.emit('inbound');
        });
        this.logger.info({ accountId: account.id }, 'push listener started');
      } catch (err) {
        this.running.delete(account.id);
        await deps.channelAccounts.releaseListenerLease(account.id, this.owner);
        this.logger.error({ err, accountId: account.id }, 'push listener failed to start');
      }
    }
  }

  /** Starts no bot any more, lets a renewal in progress end, then stops every bot and releases its lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    for (const [id, adapter] of this.running) await this.stopOne(id, adapter);
  }

  private async stopOne(id: string, adapter: ChannelAdapter): Promise<void> {
    this.running.delete(id);
    await adapter.stop?.().catch((err) => this.logger.warn({ err, accountId: id }, 'push listener stop failed'));
    await this.deps.channelAccounts.releaseListenerLease(id, this.owner);
  }
}
