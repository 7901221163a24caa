/**
 * Drains the inbox: claim a recorded payload, parse it with its account's adapter, apply each domain event,
 * append it to the event log, mark the row done. Runs in scheduler processes; `notify()` wakes it right after
 * a callback is recorded in the same process, and a poll picks up rows recorded by other processes.
 * One row at a time per process, oldest first: a customer's add and delete are applied in arrival order.
 */
import type { Logger } from 'pino';
import { ChannelError, ParseError } from '../../adapters/channel-adapter.ts';
import type { Services } from '../services.ts';
import { dispatchInbound } from './inbound-dispatch.ts';
import type { InboxRow } from './inbound-inbox.ts';

export class InboundProcessor {
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly services: Services,
    private readonly logger: Logger,
    private readonly pollMs = 500,
  ) {}

  /** Processes due rows until none is left; returns how many were handled. */
  async drain(max = Number.POSITIVE_INFINITY): Promise<number> {
    let n = 0;
    while (n < max) {
      const row = await this.services.inbox.claim();
      if (!row) break;
      await this.process(row);
      n++;
    }
    return n;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.drain();
        } catch (err) {
          this.logger.error({ err }, 'inbound processing failed');
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => (clearTimeout(timer), resolve());
        });
        this.wake = null;
      }
    })();
  }

  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async process(row: InboxRow): Promise<void> {
    const { services } = this;
    try {
      const account = await services.channelAccounts.get(row.accountId);
      const adapter = services.adapterFor(account);
      const events = adapter.parseInbound(row.plaintext);
      for (const event of events) {
        const handled = await dispatchInbound(event, { account, adapter, services });
        const { kind, channel, corpId, idempotencyKey, occurredAt, ...fields } = event;
        await services.events.append(corpId, {
          key: idempotencyKey,
          direction: 'inbound',
          channel,
          type: kind,
          contactId: handled.contactId,
          storeId: handled.storeId ?? null,
          occurredAt,
          payload: { ...fields, accountId: account.id },
        });
      }
      await services.inbox.done(row, events.map((e) => e.idempotencyKey));
      services.metrics.jobs.inc({ job: 'inbound.process', outcome: 'ok' });
    } catch (err) {
      if (err instanceof ParseError) {
        await services.inbox.reject(row, err.message);
        services.metrics.jobs.inc({ job: 'inbound.process', outcome: 'rejected' });
        return;
      }
      const reason = err instanceof ChannelError ? `${err.kind} errcode=${err.errcode}: ${err.message}` : (err as Error).message;
      this.logger.warn({ err, rowId: String(row._id) }, 'inbound row failed; will retry');
      await services.inbox.retryLater(row, reason);
      services.metrics.jobs.inc({ job: 'inbound.process', outcome: 'retry' });
    }
  }
}
