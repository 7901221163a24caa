/**
 * What a first run sets up: the corp and its first stores. One schema for the API body, the CLI's `--file`
 * (JSON or YAML) and its flags, so the three cannot accept different things.
 */
import { z } from 'zod';
import { timezoneSchema } from '../org/index.ts';


export const setupStoreSchema = z.strictObject({
  code: z.string().min(1).max(32).regex(/^[\w-]+$/, 'letters, digits, _ and - only'),
  name: z.string().min(1).max(100),
  city: z.string().min(1).max(50),
  region: z.string().min(1).max(50),
  /** Default: the corp's time zone. */
  timezone: timezoneSchema.optional(),
  address: z.string().max(200).optional(),
});

export const setupSchema = z.strictObject({
  corp: z.strictObject({
    corpId: z.string().min(1).max(64).regex(/^[\w-]+$/, 'a WeCom corp id (letters, digits, _ and -)'),
    /** Required when the corp does not exist yet; an existing corp keeps its name. */
    name: z.string().min(1).max(100).optional(),
    timezone: timezoneSchema.optional(),
  }),
  stores: z
    .array(setupStoreSchema)
    .max(500)
    .refine((stores) => new Set(stores.map((s) => s.code)).size === stores.length, 'store codes must be unique')
    .optional(),
  /** Issue another HQ token although the corp has one (the first run always issues one). */
  newToken: z.boolean().optional(),
  tokenName: z.string().min(1).max(64).optional(),
});

export type SetupSpec = z.infer<typeof setupSchema>;

/**
 * A `--store` flag: `code=SH01,name=上海一店,city=上海,region=华东[,timezone=…][,address=…]`. Named fields, so a
 * missing or misplaced one is reported rather than read as another. A value cannot hold an ASCII comma (use
 * `--file` for such addresses; Chinese addresses use "，").
 */
export function parseStoreFlag(flag: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of flag.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--store "${flag}": expected key=value pairs separated by commas, got "${part}"`);
    const key = part.slice(0, eq).trim();
    if (key in fields) throw new Error(`--store "${flag}": ${key} given twice`);
    fields[key] = part.slice(eq + 1).trim();
  }
  return fields;
}
