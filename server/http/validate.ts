/** zod validation of one request part; issues become [{ path, message }] with the part as path prefix. */
import type { z } from 'zod';
import '../shared/zod-locale.ts';
import { ValidationError } from '../errors.ts';

export function parsePart<T>(part: 'params' | 'query' | 'body', schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return {} as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({
      path: [part, ...i.path.map(String)].join('.'),
      message: i.code === 'unrecognized_keys' ? `未知字段：${i.keys.join('、')} Unknown field(s): ${i.keys.join(', ')}` : i.message,
    })),
  );
}
