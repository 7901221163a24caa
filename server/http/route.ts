/**
 * A route is declared once: method, path, roles, zod schemas and handler. The same declaration mounts it on
 * the router (auth → validate → handler) and feeds the OpenAPI document, so docs cannot drift from checks.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import type { Role } from '../auth/token.schema.ts';
import type { Services } from '../services.ts';
import { authenticate, authorize } from './auth.middleware.ts';
import { readJsonBody } from './body.ts';
import { parsePart } from './validate.ts';

type AnyObject = z.ZodType<Record<string, unknown>>;

export type RouteInput<P, Q, B> = { params: P; query: Q; body: B };

export type RouteDef<P = unknown, Q = unknown, B = unknown> = {
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
  handler(input: RouteInput<P, Q, B>, ctx: RouteContext): Promise<unknown>;
};

export type RouteContext = { koa: Context; principal: Principal | null; services: Services };

/** Return `reply(status, body)` from a handler when the status depends on the outcome (201 vs 200, 503). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
export const reply = (status: number, body: unknown) => new Reply(status, body);

export function defineRoute<P extends Record<string, unknown> = Record<string, never>, Q extends Record<string, unknown> = Record<string, never>, B = undefined>(
  def: RouteDef<P, Q, B> & { params?: z.ZodType<P> & AnyObject; query?: z.ZodType<Q> & AnyObject },
): RouteDef {
  return def as unknown as RouteDef;
}

/** Koa path `/api/contacts/:id` → OpenAPI `/api/contacts/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

export function mountRoutes(router: Router, routes: RouteDef[], services: Services, bodyLimit: number): void {
  for (const route of routes) {
    router[route.method](route.path, async (ctx: Context) => {
      ctx.state.route = route.path;
      const principal = route.roles === 'public' ? null : await authenticate(ctx, services);
      if (principal && route.roles !== 'public') authorize(principal, route.roles);
      const input = {
        params: parsePart('params', route.params, ctx.params ?? {}),
        query: parsePart('query', route.query, { ...ctx.query }),
        body: route.body ? parsePart('body', route.body, await readJsonBody(ctx, bodyLimit)) : undefined,
      };
      const result = await route.handler(input, { koa: ctx, principal, services });
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
