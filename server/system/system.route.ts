import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import { buildOpenApi } from '../http/openapi.ts';
import type { Metrics } from './metrics.ts';

export type SystemRouteDeps = {
  dbUp(): Promise<boolean>;
  metrics: Pick<Metrics, 'registry' | 'text'>;
  /** The full route list, for /openapi.json (read on first request, once every route is listed). */
  routes(): RouteDef[];
  version: string;
};

export function systemRoutes(deps: SystemRouteDeps): RouteDef[] {
  let openapi: ReturnType<typeof buildOpenApi> | undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      tag: 'system',
      summary: '健康检查 Liveness and database reachability (503 when the database is down)',
      roles: 'public',
      response: z.object({ status: z.enum(['ok', 'degraded']), db: z.enum(['up', 'down']) }),
      async handler() {
        const up = await deps.dbUp();
        return reply(up ? 200 : 503, { status: up ? 'ok' : 'degraded', db: up ? 'up' : 'down' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      tag: 'system',
      summary: 'Prometheus metrics',
      roles: 'public',
      async handler(_input, { koa }) {
        koa.type = deps.metrics.registry.contentType;
        koa.body = await deps.metrics.text();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      tag: 'system',
      summary: 'OpenAPI 3.1 document',
      roles: 'public',
      async handler() {
        return (openapi ??= buildOpenApi(deps.routes(), { version: deps.version }));
      },
    }),
  ];
}
