/**
 * Vendor callbacks: verify, record, acknowledge. No parsing and no outbound calls happen here (the inbound
 * processor does that afterwards), so the answer goes back within milliseconds of the record being durable.
 * Wrong signature → 401, anything else unverifiable → 400; a stale or replayed request (callback-guard.ts) → 401;
 * nothing is stored in any of these cases, and each refusal is logged with its reason.
 */
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelKind } from '../../adapters/channel-adapter.ts';
import { callbackPathOf, channelKinds } from '../../adapters/registry.ts';
import { AppError, ErrorCode } from '../errors.ts';
import { readRawBody } from '../http/body.ts';
import { defineRoute, reply, type RouteContext, type RouteDef } from '../http/route.ts';
import { objectIdString } from '../shared/object-id.ts';
import type { CallbackRefusal } from './callback-guard.ts';
import type { ChannelsModule } from './channels.module.ts';

/** Read when a request comes in, never when the route list is built (it is built for OpenAPI without modules). */
export type CallbackRouteDeps = {
  channels: Pick<ChannelsModule, 'accounts' | 'adapterFor' | 'callbackGuard' | 'inbox' | 'signals' | 'callbackBodyLimitBytes'>;
  logger: Logger;
};

const looseQuery = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

class CallbackRefused extends AppError {
  constructor(status: 400 | 401, reason: string) {
    super(status, status === 401 ? ErrorCode.Unauthenticated : ErrorCode.BadRequest, reason);
  }
}

async function handle(deps: CallbackRouteDeps, kind: ChannelKind, accountId: string | undefined, { koa }: RouteContext) {
  const { channels } = deps;
  const account = await channels.accounts.resolve(kind, accountId);
  const adapter = channels.adapterFor(account);
  const rawBody = koa.method === 'POST' ? await readRawBody(koa, channels.callbackBodyLimitBytes) : Buffer.alloc(0);
  const verified = adapter.verifyWebhook({ method: koa.method, query: koa.query, headers: koa.headers, rawBody });
  if (!verified.ok) refuse(deps, kind, account.id, verified, koa);
  const { callbackGuard } = channels;
  const payload = 'echo' in verified ? verified.echo : verified.plaintext;
  const late = callbackGuard.stale(verified.delivery) ?? (await callbackGuard.replayed(account.id, verified.delivery, payload));
  if (late) refuse(deps, kind, account.id, late, koa);
  koa.type = 'text/plain';
  if ('echo' in verified) return reply(200, verified.echo);
  await channels.inbox.record(account, verified.plaintext, adapter);
  channels.signals.emit('inbound');
  // Both vendors stop retrying on a 200 whose body is "success" (or empty).
  return reply(200, 'success');
}

/** Logs and throws: a run of refusals is either an attack or a misconfigured token, key or clock. */
function refuse(deps: Pick<CallbackRouteDeps, 'logger'>, kind: ChannelKind, accountId: string, r: CallbackRefusal, koa: Context): never {
  const log = (koa.state.log as Logger | undefined) ?? deps.logger;
  log.warn({ kind, accountId, method: koa.method, status: r.status, reason: r.reason }, 'callback refused');
  throw new CallbackRefused(r.status, r.reason);
}

function callbackRoutes(deps: CallbackRouteDeps, kind: ChannelKind, base: string): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const method of ['get', 'post'] as const) {
    const what = method === 'get' ? 'URL 验证 URL verification (bare echostr)' : '事件推送 event push (verify, record, answer "success")';
    routes.push(
      defineRoute({
        method,
        path: base,
        tag: 'callbacks',
        summary: `${kind} 回调 callback, default account: ${what}`,
        roles: 'public',
        query: looseQuery,
        handler: (_input, ctx) => handle(deps, kind, undefined, ctx),
      }),
      defineRoute({
        method,
        path: `${base}/:accountId`,
        tag: 'callbacks',
        summary: `${kind} 回调 callback for one account: ${what}`,
        roles: 'public',
        params: z.strictObject({ accountId: objectIdString }),
        query: looseQuery,
        handler: ({ params }, ctx) => handle(deps, kind, params.accountId, ctx),
      }),
    );
  }
  return routes;
}

/** Public routes, one pair per registered kind that takes callbacks (adapters/registry.ts `callbackPath`): the signature is the caller's credential. */
export function channelCallbackRoutes(deps: CallbackRouteDeps): RouteDef[] {
  return channelKinds().flatMap((kind) => {
    const base = callbackPathOf(kind);
    return base ? callbackRoutes(deps, kind, base) : [];
  });
}
