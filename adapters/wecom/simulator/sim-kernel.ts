/**
 * The machinery shared by the WeCom and official-account API simulators: a koa server on 127.0.0.1 whose every
 * API answers HTTP 200 with `errcode` / `errmsg` (errmsg carries a random `hint: [...]` suffix, so a client that
 * parses it breaks at once), a log of every request with the errcode it got, injected faults and rate windows.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import type { Context } from 'koa';
import getRawBody from 'raw-body';

export type SimClock = { now(): Date };
export const realClock: SimClock = { now: () => new Date() };

/** Thrown by handlers: the simulator answers `{ errcode, errmsg }` with HTTP 200, as Tencent does. */
export class SimFailure extends Error {
  constructor(
    readonly errcode: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function fail(errcode: number, reason: string): never {
  throw new SimFailure(errcode, reason);
}

/** One request as the simulator received it: the exact JSON body and the errcode it answered with. */
export type RecordedRequest = {
  method: string;
  /** Path below `/cgi-bin/`, e.g. `kf/send_msg`. */
  api: string;
  query: Record<string, string>;
  body: unknown;
  errcode: number;
  at: Date;
};

export type ApiInput = { query: Record<string, string>; body: Record<string, unknown>; caller: string };
export type ApiHandler = (input: ApiInput) => object | void;
export type ApiRoute = { method: 'GET' | 'POST'; api: string; auth: boolean; handler: ApiHandler };

/** Queues of errcodes to answer instead of running the API (`injectErrors(api, errcode, count)`). */
export class FaultPlan {
  private readonly queues = new Map<string, number[]>();

  inject(api: string, errcode: number, count = 1): void {
    const queue = this.queues.get(api) ?? [];
    for (let i = 0; i < count; i++) queue.push(errcode);
    this.queues.set(api, queue);
  }

  take(api: string): number | undefined {
    return this.queues.get(api)?.shift();
  }

  clear(): void {
    this.queues.clear();
  }
}

type Window = { max: number; windowMs: number; hits: number[] };

/** Sliding-window call counters per API; over the limit → 45009 (the API is not run). */
export class RateWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly fallback?: { max: number; windowMs: number }) {}

  set(api: string, max: number, windowMs: number): void {
    this.windows.set(api, { max, windowMs, hits: [] });
  }

  /** Counts a call; false when it exceeds the limit. */
  hit(api: string, now: number): boolean {
    let window = this.windows.get(api);
    if (!window && this.fallback) {
      window = { ...this.fallback, hits: [] };
      this.windows.set(api, window);
    }
    if (!window) return true;
    const from = now - window.windowMs;
    while (window.hits.length > 0 && (window.hits[0] ?? 0) <= from) window.hits.shift();
    if (window.hits.length >= window.max) return false;
    window.hits.push(now);
    return true;
  }
}

export type SimKernelOptions = {
  clock: SimClock;
  /** Resolves an access token to its owner or throws a SimFailure (41001 / 40014 / 42001 …). */
  authenticate(token: string | undefined): string;
  /** The `more info` link Tencent appends for an errcode. */
  moreInfo(errcode: number): string;
  rateWindows: RateWindows;
  /** WeCom adds `errcode: 0, errmsg: "ok"` to every success; the official account omits them on most APIs. */
  okEnvelope: boolean;
  maxBodyBytes?: number;
};

function errmsgFor(errcode: number, reason: string, moreInfo: string): string {
  const hint = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return `${reason}, hint: [${hint}], from ip: 127.0.0.1, more info at ${moreInfo}`;
}

function flatQuery(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  return out;
}

/** Runs the routes through faults → auth → rate window → handler, recording each exchange. */
export class SimKernel {
  readonly requests: RecordedRequest[] = [];
  readonly faults = new FaultPlan();

  constructor(private readonly options: SimKernelOptions) {}

  router(routes: readonly ApiRoute[]): Router {
    const router = new Router();
    for (const route of routes) {
      const handle = (ctx: Context) => this.handle(ctx, route);
      if (route.method === 'GET') router.get(`/cgi-bin/${route.api}`, handle);
      else router.post(`/cgi-bin/${route.api}`, handle);
    }
    return router;
  }

  private async readBody(ctx: Context): Promise<unknown> {
    const raw = await getRawBody(ctx.req, { limit: this.options.maxBodyBytes ?? 4 * 1024 * 1024 });
    if (raw.length === 0) return {};
    return JSON.parse(raw.toString('utf8'));
  }

  private async handle(ctx: Context, route: ApiRoute): Promise<void> {
    const query = flatQuery(ctx);
    let body: unknown = {};
    let reply: Record<string, unknown>;
    try {
      if (route.method === 'POST') {
        try {
          body = await this.readBody(ctx);
        } catch {
          fail(47001, 'data format error, Warning: wrong json format.');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) fail(47001, 'data format error');
      }
      const injected = this.faults.take(route.api);
      if (injected !== undefined) fail(injected, `injected errcode ${injected}`);
      const caller = route.auth ? this.options.authenticate(query.access_token) : '';
      if (!this.options.rateWindows.hit(route.api, this.options.clock.now().getTime())) {
        fail(45009, 'api freq out of limit');
      }
      const result = route.handler({ query, body: body as Record<string, unknown>, caller }) ?? {};
      reply = this.options.okEnvelope ? { errcode: 0, errmsg: 'ok', ...result } : { ...result };
    } catch (err) {
      if (!(err instanceof SimFailure)) throw err;
      reply = { errcode: err.errcode, errmsg: errmsgFor(err.errcode, err.reason, this.options.moreInfo(err.errcode)) };
    }
    this.requests.push({
      method: route.method,
      api: route.api,
      query,
      body: route.method === 'POST' ? body : undefined,
      errcode: typeof reply.errcode === 'number' ? reply.errcode : 0,
      at: this.options.clock.now(),
    });
    ctx.status = 200;
    ctx.body = reply;
  }
}

export type RunningServer = { baseUrl: string; close(): Promise<void> };

/** Listens on 127.0.0.1 (port 0 = a free port). */
export async function listen(app: Koa, port = 0): Promise<RunningServer> {
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A koa app that serves the routes and refuses everything else with 404 (Tencent answers unknown paths likewise). */
export function simApp(kernel: SimKernel, routes: readonly ApiRoute[]): Koa {
  const app = new Koa();
  app.silent = true;
  const router = kernel.router(routes);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
