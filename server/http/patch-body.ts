/**
 * PATCH bodies change only the fields sent. `.partial()` keeps a field's `.default()`, so a create schema's
 * defaults would fill fields the caller never sent (a PATCH of quotas turned a store manager into `staff`).
 * `patchBody` takes the create schema's fields, drops their defaults and makes each optional; nested objects
 * must carry no defaults of their own (test/http/patch-schemas.spec.ts walks every PATCH route for that).
 */
import { z } from 'zod';

type Shape = Record<string, z.ZodType>;
type Patch<S extends Shape> = { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer T> ? T : S[K]> };

const withoutDefault = (t: z.ZodType): z.ZodType => (t instanceof z.ZodDefault || t instanceof z.ZodPrefault ? withoutDefault(t.unwrap() as z.ZodType) : t);

export function patchBody<S extends Shape>(fields: S) {
  const shape = Object.fromEntries(Object.entries(fields).map(([k, t]) => [k, withoutDefault(t).optional()])) as Patch<S>;
  return z.strictObject(shape).refine((b) => Object.keys(b).length > 0, '没有要修改的字段 nothing to update');
}
