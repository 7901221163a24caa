/** OpenAPI 3.1 from the same zod schemas the routes validate with (zod's JSON Schema is draft 2020-12). */
import { z } from 'zod';
import { openApiPath, type RouteDef } from './route.ts';

const errorSchema = z.toJSONSchema(
  z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) }),
  { io: 'output' },
);

function paramsOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s }));
}

export function buildOpenApi(routes: RouteDef[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = (paths[openApiPath(r.path)] ??= {});
    p[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      security: r.roles === 'public' ? [] : [{ bearer: [] }],
      'x-roles': r.roles === 'public' ? [] : r.roles,
      parameters: [...paramsOf(r.params, 'path'), ...paramsOf(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          ...(r.response ? { content: { 'application/json': { schema: z.toJSONSchema(r.response, { io: 'output', unrepresentable: 'any' }) } } } : {}),
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Siyu 私域 API', version: info.version, description: 'Private-domain customer operations on WeCom.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
