/**
 * Entry of an HTTP worker process (forked by server/http/http-workers.ts). It asks for the primary's parsed
 * config over IPC, serves the connections the primary hands over, passes "callback recorded" signals up, gets
 * the whole server's metrics from the primary for GET /metrics, and
 * stops gracefully when the primary says so, on SIGTERM / SIGINT (a terminal's Ctrl-C reaches every process of
 * the group), or when the primary is gone.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import pino from 'pino';
import { createApp } from '../app.ts';
import { openServices } from '../boot.ts';
import type { Config } from '../config.ts';
import type { WorkerMessage } from './http-workers.ts';

/** The processor drains until the inbox is empty, so one wake-up covers every callback recorded before it. */
const INBOUND_SIGNAL_MS = 50;
const STOP_GRACE_MS = 10_000;
const METRICS_ANSWER_MS = 5000;

async function serve(config: Config, forwardInbound: boolean): Promise<void> {
  const logger = pino({ level: config.logLevel }).child({ worker: process.pid });
  const core = await openServices(config, { logger });
  const server = http.createServer(createApp(core.services).callback());
  // The server never listens (the primary does), so Node does not track its connections: we do, with the
  // requests in flight on each, to close idle ones at once on stop and busy ones after their response.
  const inFlight = new Map<Socket, number>();
  let stopping: Promise<void> | undefined;
  let drained: () => void = () => {};

  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => {
      inFlight.delete(socket);
      if (stopping && !inFlight.size) drained();
    });
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    if (stopping) res.setHeader('connection', 'close');
    res.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, left);
      if (stopping && !left) socket.end();
    });
  });
  // GET /metrics: the sum over every process, which only the primary can gather.
  const asked = new Map<number, (text: string) => void>();
  let askId = 0;
  core.services.metrics.text = () =>
    new Promise<string>((resolve, reject) => {
      const id = ++askId;
      const timer = setTimeout(() => {
        asked.delete(id);
        reject(new Error('metrics: the primary process did not answer'));
      }, METRICS_ANSWER_MS);
      asked.set(id, (text) => {
        clearTimeout(timer);
        asked.delete(id);
        resolve(text);
      });
      process.send?.({ siyu: 'metrics?', id } satisfies WorkerMessage);
    });

  if (forwardInbound) {
    let pending: NodeJS.Timeout | undefined;
    core.services.signals.on('inbound', () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        process.send?.({ siyu: 'inbound' } satisfies WorkerMessage);
      }, INBOUND_SIGNAL_MS);
    });
  }

  const stop = () =>
    (stopping ??= (async () => {
      const empty = new Promise<void>((resolve) => (drained = resolve));
      for (const [socket, n] of inFlight) if (!n) socket.end();
      if (inFlight.size) {
        const force = setTimeout(() => inFlight.forEach((_, s) => s.destroy()), STOP_GRACE_MS);
        await empty;
        clearTimeout(force);
      }
      await core.close();
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error({ err }, 'HTTP worker stopped with an error');
      process.exit(1);
    }));
  // Everything the primary sends once the worker serves: handed-over connections, metrics, stop.
  process.on('message', (m: WorkerMessage, socket?: Socket) => {
    switch (m?.siyu) {
      case 'connection':
        if (!socket) return;
        if (stopping) return void socket.destroy();
        server.emit('connection', socket);
        socket.resume(); // the primary accepted it paused
        return;
      case 'metrics':
        return asked.get(m.id)?.(m.text);
      case 'metrics-dump':
        return void core.services.metrics.registry.getMetricsAsJSON().then((metrics) => process.send?.({ siyu: 'metrics-json', id: m.id, metrics } satisfies WorkerMessage));
      case 'stop':
        return void stop();
    }
  });
  process.on('disconnect', () => void stop());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop());
  process.send?.({ siyu: 'ready' } satisfies WorkerMessage);
}

const configured = (m: WorkerMessage) => {
  if (m?.siyu !== 'config') return;
  process.off('message', configured);
  serve(m.config, m.forwardInbound).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
};
process.on('message', configured);
process.send?.({ siyu: 'hello' } satisfies WorkerMessage);
