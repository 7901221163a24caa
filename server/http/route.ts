/**
 * A route is declared once: method, path, roles, zod schemas and handler. The same declaration mounts it on
 * the router (auth → validate → handler) and feeds the OpenAPI document, so docs cannot drift from checks.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { Principal, Role } from '../shared/principal.ts';
import type { Scope } from '../shared/scope.ts';
import { authorize } from './auth.middleware.ts';
import { readJsonBody } from './body.ts';
import { parsePart } from './validate.ts';

type AnyObject = z.ZodType<Record<string, unknown>>;

export type RouteInput<P, Q, B> = { params: P; query: Q; body: B };

type RouteDefBase<P, Q, B> = {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** 'public' skips authentication; otherwise the roles allowed. */
  roles: readonly Role[] | 'public';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Documented response for 2xx (OpenAPI only). */
  response?: z.ZodType;
  status?: number;
};

/**
 * What a handler gets: the request and the caller. Route files are factories over the narrow dependencies their
 * handlers need (`xRoutes(deps): RouteDef[]`), so no handler sees the module graph.
 */
export type RouteContext = { koa: Context; principal: Principal | null };
/** A `scoped: true` route's handler gets the caller's scope already resolved from `?corpId=` and the token. */
export type ScopedRouteContext = RouteContext & { principal: Principal; scope: Scope };

export type RouteDef<P = unknown, Q = unknown, B = unknown> = RouteDefBase<P, Q, B> &
  (
    | { scoped?: false; handler(input: RouteInput<P, Q, B>, ctx: RouteContext): Promise<unknown> }
    | { scoped: true; handler(input: RouteInput<P, Q, B>, ctx: ScopedRouteContext): Promise<unknown> }
  );

/** What mounting needs from the domains: who the caller is, and which corp and stores they act on. */
export type HttpDeps = {
  authenticate(ctx: Context): Promise<Principal>;
  resolveScope(principal: Principal, requestedCorpId: string | undefined): Promise<Scope>;
};

/** Return `reply(status, body)` from a handler when the status depends on the outcome (201 vs 200, 503). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
export const reply = (status: number, body: unknown) => new Reply(status, body);

type Shape<P, Q> = { params?: z.ZodType<P> & AnyObject; query?: z.ZodType<Q> & AnyObject };

export function defineRoute<P extends Record<string, unknown> = Record<string, never>, Q extends Record<string, unknown> = Record<string, never>, B = undefined>(
  def: RouteDefBase<P, Q, B> & Shape<P, Q> & { scoped: true; handler(input: RouteInput<P, Q, B>, ctx: ScopedRouteContext): Promise<unknown> },
): RouteDef;
export function defineRoute<P extends Record<string, unknown> = Record<string, never>, Q extends Record<string, unknown> = Record<string, never>, B = undefined>(
  def: RouteDefBase<P, Q, B> & Shape<P, Q> & { scoped?: false; handler(input: RouteInput<P, Q, B>, ctx: RouteContext): Promise<unknown> },
): RouteDef;
export function defineRoute(def: RouteDef): RouteDef {
  if (def.scoped && def.roles === 'public') throw new Error(`${def.method} ${def.path}: a scoped route needs a signed-in caller`);
  return def;
}

/** Koa path `/api/contacts/:id` → OpenAPI `/api/contacts/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

export function mountRoutes(router: Router, routes: RouteDef[], http: HttpDeps, bodyLimit: number): void {
  for (const route of routes) {
    router[route.method](route.path, async (ctx: Context) => {
      ctx.state.route = route.path;
      const principal = route.roles === 'public' ? null : await http.authenticate(ctx);
      if (principal && route.roles !== 'public') authorize(principal, route.roles);
      const input = {
        params: parsePart('params', route.params, ctx.params ?? {}),
        query: parsePart('query', route.query, { ...ctx.query }),
        body: route.body ? parsePart('body', route.body, await readJsonBody(ctx, bodyLimit)) : undefined,
      };
      const base = { koa: ctx, principal };
      const result = route.scoped
        ? await route.handler(input, { ...base, principal: principal!, scope: await http.resolveScope(principal!, corpIdOf(input.query)) })
        : await route.handler(input, base);
      if (result instanceof Reply) {
        ctx.status = result.status;
        ctx.body = result.body;
      } else if (ctx.body === undefined || ctx.body === null) {
        ctx.status = route.status ?? (result === undefined ? 204 : 200);
        if (result !== undefined) ctx.body = result;
      }
    });
  }
}

function corpIdOf(query: unknown): string | undefined {
  const corpId = (query as { corpId?: unknown } | undefined)?.corpId;
  return typeof corpId === 'string' ? corpId : undefined;
}
