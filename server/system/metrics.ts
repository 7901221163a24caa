/**
 * Prometheus metrics. One registry per app instance, so several apps in one process (tests) never clash.
 * `text()` renders what GET /metrics answers: this registry, or, in an HTTP worker process, the sum over the
 * primary and every worker (server/http/http-worker.ts replaces it there).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
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
