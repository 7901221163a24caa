import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.ts';
import { buildOpenApi } from '../http/openapi.ts';

/** System routes need the full route list for /openapi.json, so they are built from it. */
export function systemRoutes(all: () => RouteDef[], version: string) {
  let openapi: ReturnType<typeof buildOpenApi> | undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      tag: 'system',
      summary: '健康检查 Liveness and database reachability (503 when the database is down)',
      roles: 'public',
      response: z.object({ status: z.enum(['ok', 'degraded']), db: z.enum(['up', 'down']) }),
      async handler(_input, { services }) {
        const up = await services.dbUp();
        return reply(up ? 200 : 503, { status: up ? 'ok' : 'degraded', db: up ? 'up' : 'down' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      tag: 'system',
      summary: 'Prometheus metrics',
      roles: 'public',
      async handler(_input, { services, koa }) {
        koa.type = services.metrics.registry.contentType;
        koa.body = await services.metrics.text();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      tag: 'system',
      summary: 'OpenAPI 3.1 document',
      roles: 'public',
      async handler() {
        return (openapi ??= buildOpenApi(all(), { version }));
      },
    }),
  ];
}
