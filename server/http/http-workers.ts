/**
 * The HTTP role in several processes on one host (SIYU_HTTP_WORKERS > 1). One Node process serves HTTP on one
 * core; the callback path (verify, decrypt, record, answer) is CPU-bound there first. The primary listens, and
 * hands each accepted connection, unread, to the next worker in strict rotation; each worker runs the ordinary
 * HTTP app (server/http/http-worker.ts) against the same database, and everything else (scheduler, inbound
 * processor, demo) stays in the primary. HTTP processes keep no state of their own, which is what lets them run
 * side by side at all (docs/ARCHITECTURE.md, "Processes and scaling").
 *
 * Why not node:cluster: its round-robin hands a connection to whichever worker acknowledged the previous one
 * first, so 64 kept-alive connections opened at once split 39/25 and stayed that way; the busier worker set the
 * tail latency. Strict rotation splits them evenly.
 *
 * GET /metrics answered by any worker covers the whole server: the worker asks the primary, which sums its own
 * registry and every worker's (prom-client's AggregatorRegistry). A worker that dies is replaced. When the primary runs the inbound processor, "a callback was recorded" signals
 * come back over IPC, at most one per worker every 50 ms (one message per callback cost the primary a wake-up
 * each and halved the callback rate).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once, type EventEmitter } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Metrics } from '../system/metrics.ts';

/** Messages between the primary and its HTTP workers. */
export type WorkerMessage =
  | { siyu: 'hello' }
  | { siyu: 'config'; config: Config; forwardInbound: boolean }
  | { siyu: 'ready' }
  | { siyu: 'connection' }
  | { siyu: 'stop' }
  | { siyu: 'inbound' }
  // GET /metrics in a worker: it asks the primary, which gathers every process's registry and sums them.
  | { siyu: 'metrics?'; id: number }
  | { siyu: 'metrics-dump'; id: number }
  | { siyu: 'metrics-json'; id: number; metrics: MetricsJson }
  | { siyu: 'metrics'; id: number; text: string };

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export type HttpWorkers = {
  port: number;
  /** The ready workers' process ids. */
  pids(): number[];
  stop(): Promise<void>;
};

const WORKER_ENTRY = fileURLToPath(new URL('./http-worker.ts', import.meta.url));
/** A worker that keeps dying young (a bad deploy, the database gone) is restarted ever more slowly, up to a minute. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 60_000;
const HEALTHY_AFTER_MS = 30_000;
const STOP_GRACE_MS = 15_000;
/** A worker that has not sent its registry by then is left out of that scrape rather than stalling it. */
const METRICS_WAIT_MS = 2000;

/** 1 s after a worker that ran a while; double the last delay (up to a minute) after one that died young. */
export function nextRestartDelay(lastDelayMs: number, livedMs: number): number {
  return livedMs > HEALTHY_AFTER_MS ? RESTART_DELAY_MS : Math.min(lastDelayMs * 2, MAX_RESTART_DELAY_MS);
}

/**
 * Starts `config.http.workers` workers with the primary's config (its database URI resolved, HTTP role only),
 * then listens. A worker that exits before it is ready fails the start.
 */
export async function startHttpWorkers(config: Config, o: { databaseUri: string; signals: EventEmitter; metrics: Metrics; logger: Logger }): Promise<HttpWorkers> {
  const workerConfig: Config = { ...config, roles: ['http'], http: { ...config.http, workers: 1 }, db: { ...config.db, uri: o.databaseUri } };
  const forwardInbound = config.roles.includes('scheduler');
  const all = new Set<ChildProcess>();
  let ready: ChildProcess[] = [];
  let turn = 0;
  let stopping = false;
  let restartDelay = RESTART_DELAY_MS;
  const scrapes = new Map<number, { waiting: Set<ChildProcess>; got: MetricsJson[]; done(): void }>();
  let scrapeId = 0;

  /** The primary's registry and every ready worker's, summed (counters and histograms add up per label set). */
  const aggregateMetrics = async (): Promise<string> => {
    const id = ++scrapeId;
    const got = [await o.metrics.registry.getMetricsAsJSON()];
    await new Promise<void>((resolve) => {
      const waiting = new Set(ready);
      const done = () => {
        clearTimeout(timer);
        scrapes.delete(id);
        resolve();
      };
      const timer = setTimeout(done, METRICS_WAIT_MS);
      scrapes.set(id, { waiting, got, done });
      for (const worker of waiting) worker.send({ siyu: 'metrics-dump', id } satisfies WorkerMessage);
      if (!waiting.size) done();
    });
    return AggregatorRegistry.aggregate(got).metrics();
  };

  const start = (): Promise<void> => {
    // The project runs TypeScript through tsx everywhere (no build step), workers included.
    const worker = fork(WORKER_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const forkedAt = Date.now();
    all.add(worker);
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        // A message that arrives before the worker's script has a listener is dropped, so the worker asks first.
        if (m?.siyu === 'hello') worker.send({ siyu: 'config', config: workerConfig, forwardInbound } satisfies WorkerMessage);
        else if (m?.siyu === 'ready') {
          ready.push(worker);
          resolve();
        } else if (m?.siyu === 'inbound') o.signals.emit('inbound');
        else if (m?.siyu === 'metrics?') {
          aggregateMetrics().then(
            (text) => worker.connected && worker.send({ siyu: 'metrics', id: m.id, text } satisfies WorkerMessage),
            (err: unknown) => o.logger.error({ err }, 'metrics aggregation failed'),
          );
        } else if (m?.siyu === 'metrics-json') {
          const scrape = scrapes.get(m.id);
          if (scrape?.waiting.delete(worker)) {
            scrape.got.push(m.metrics);
            if (!scrape.waiting.size) scrape.done();
          }
        }
      });
      worker.once('exit', (code, signal) => reject(new Error(`HTTP worker ${worker.pid} exited before it was ready (${signal ?? code})`)));
    });
    worker.once('exit', (code, signal) => {
      all.delete(worker);
      ready = ready.filter((w) => w !== worker);
      if (stopping) return;
      restartDelay = nextRestartDelay(restartDelay, Date.now() - forkedAt);
      o.logger.error({ pid: worker.pid, code, signal, restartInMs: restartDelay }, 'HTTP worker exited; starting another');
      setTimeout(() => {
        if (!stopping) start().catch((err: unknown) => o.logger.error({ err }, 'HTTP worker failed to start'));
      }, restartDelay).unref();
    });
    return started;
  };

  // pauseOnConnect: not a byte is read here, so the worker's HTTP parser sees the whole stream.
  const balancer = net.createServer({ pauseOnConnect: true }, (socket) => {
    if (!ready.length) return void socket.destroy();
    const worker = ready[turn++ % ready.length]!;
    worker.send({ siyu: 'connection' } satisfies WorkerMessage, socket, (err) => err && socket.destroy());
  });

  const stop = async () => {
    stopping = true;
    if (balancer.listening) await new Promise<void>((resolve) => balancer.close(() => resolve()));
    await Promise.all(
      [...all].map(async (worker) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return;
        const exited = once(worker, 'exit');
        if (worker.connected) worker.send({ siyu: 'stop' } satisfies WorkerMessage);
        const force = setTimeout(() => worker.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(force);
      }),
    );
  };

  try {
    await Promise.all(Array.from({ length: config.http.workers }, start));
    balancer.listen(config.http.port, config.http.host);
    await once(balancer, 'listening');
  } catch (err) {
    await stop();
    throw err;
  }
  const address = balancer.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  o.logger.info({ workers: config.http.workers, port }, 'HTTP served by worker processes');
  return { port, pids: () => ready.map((w) => w.pid!), stop };
}
