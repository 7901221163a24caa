/**
 * Prometheus metrics. One registry per app instance, so several apps in one process (tests) never clash.
 * `text()` renders what GET /metrics answers: this registry, or, in an HTTP worker process, the sum over the
 * primary and every worker (server/http/http-worker.ts replaces it there).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type InboxBreakdown = () => Promise<Array<{ status: string; reason: string; n: number }>>;
type InboxBacklog = () => Promise<Array<{ priority: number; n: number; oldestAgeS: number }>>;
type TouchBacklog = () => Promise<{ n: number; oldestAgeS: number }>;

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  // Read from the database on each scrape, in the process that drains the inbox (InboundProcessor sets it).
  let inboxSource: InboxBreakdown | null = null;
  let owedSource: (() => Promise<number>) | null = null;
  let inboxBacklog: InboxBacklog | null = null;
  let touchBacklog: TouchBacklog | null = null;
  // One read per scrape serves both gauges of a queue (count and oldest age).
  const once = <T>(read: () => Promise<T>) => {
    let last: { at: number; value: Promise<T> } | null = null;
    return () => {
      if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), value: read() };
      return last.value;
    };
  };
  const inboxNow = once(() => (inboxBacklog ? inboxBacklog() : Promise.resolve([])));
  const touchesNow = once(() => (touchBacklog ? touchBacklog() : Promise.resolve(null)));
  return {
    /** Makes siyu_inbox_rows report `inbox`'s counts and siyu_details_owed `owed`'s. */
    watchInbox(inbox: InboxBreakdown, owed?: () => Promise<number>): void {
      inboxSource = inbox;
      owedSource = owed ?? null;
    },
    inboxRows: new Gauge({
      name: 'siyu_inbox_rows',
      help: 'Inbox rows not processed yet, by status (pending, retrying, processing, failed, rejected) and, for failed rows, why (transient, permanent)',
      labelNames: ['status', 'reason'] as const,
      registers: [registry],
      async collect() {
        if (!inboxSource) return;
        this.reset();
        for (const r of await inboxSource()) this.set({ status: r.status, reason: r.reason }, r.n);
      },
    }),
    inboxFailures: new Counter({
      name: 'siyu_inbox_failures_total',
      help: 'Inbox rows given up on after their attempts, by reason (transient rows are revived by the inbox sweep)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    inboxRevived: new Counter({
      name: 'siyu_inbox_revived_total',
      help: 'Failed inbox rows put back to pending by the inbox sweep after a transient outage',
      registers: [registry],
    }),
    detailsOwed: new Counter({
      name: 'siyu_details_owed_total',
      help: 'Events applied without the vendor detail (API unavailable); the detail sweep fetches it later',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    detailsOwedPending: new Gauge({
      name: 'siyu_details_owed',
      help: 'Vendor details (customer, group, follower profiles) still owed by events applied during an API outage',
      registers: [registry],
      async collect() {
        if (owedSource) this.set(await owedSource());
      },
    }),
    /** The backlog gauges: the inbox's (in the process that drains it) and the due touches' (where they are sent). */
    watchBacklog(o: { inbox?: InboxBacklog; touches?: TouchBacklog }): void {
      if (o.inbox) inboxBacklog = o.inbox;
      if (o.touches) touchBacklog = o.touches;
    },
    /** Read once by the console's execution page and by the gauges below. */
    backlog: async () => ({ inbox: await inboxNow(), touches: await touchesNow() }),
    inboxPending: new Gauge({
      name: 'siyu_inbox_pending',
      help: 'Acknowledged callbacks waiting to be applied, by priority (1: welcome-code adds, whose code dies 20 s after the add)',
      labelNames: ['priority'] as const,
      registers: [registry],
      async collect() {
        if (!inboxBacklog) return;
        this.reset();
        for (const r of await inboxNow()) this.set({ priority: String(r.priority) }, r.n);
      },
    }),
    inboxOldest: new Gauge({
      name: 'siyu_inbox_oldest_pending_seconds',
      help: 'How long the oldest acknowledged callback waiting to be applied has waited, by priority',
      labelNames: ['priority'] as const,
      registers: [registry],
      async collect() {
        if (!inboxBacklog) return;
        this.reset();
        for (const r of await inboxNow()) this.set({ priority: String(r.priority) }, r.oldestAgeS);
      },
    }),
    touchesDue: new Gauge({
      name: 'siyu_touches_due',
      help: 'SOP touches due and not sent yet',
      registers: [registry],
      async collect() {
        const t = touchBacklog && (await touchesNow());
        if (t) this.set(t.n);
      },
    }),
    touchesOldest: new Gauge({
      name: 'siyu_touches_oldest_due_seconds',
      help: 'How late the oldest SOP touch due and not sent yet is',
      registers: [registry],
      async collect() {
        const t = touchBacklog && (await touchesNow());
        if (t) this.set(t.oldestAgeS);
      },
    }),
    registry,
    text: (): Promise<string> => registry.metrics(),
    httpDuration: new Histogram({
      name: 'siyu_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    events: new Counter({
      name: 'siyu_events_total',
      help: 'Events appended to the event log, by channel, type and whether the delivery was a replay',
      labelNames: ['channel', 'type', 'duplicate'] as const,
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'siyu_job_outcomes_total',
      help: 'Scheduler job runs by job name and outcome',
      labelNames: ['job', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
