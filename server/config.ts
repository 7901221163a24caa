/**
 * The only reader of process.env. Parsed once at boot; everything else receives a typed Config.
 * Per-account channel credentials are data in MongoDB, not here (only the development defaults are).
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import './shared/zod-locale.ts';

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const roles = z
  .string()
  .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
  .pipe(z.array(z.enum(['http', 'scheduler'])).min(1));

const envSchema = z.object({
  // server
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  SIYU_ROLES: roles.default(['http', 'scheduler']),
  SIYU_HTTP_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  SIYU_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  SIYU_UPLOAD_TIMEOUT_MS: z.coerce.number().int().min(100).default(600_000),
  SIYU_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // database
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('siyu'),
  SIYU_DATA_DIR: z.string().default(path.resolve('.data')),
  SIYU_CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'siyu')),
  // security: 32-byte keys as 64 hex chars; the development defaults are derived and printed as a warning
  SIYU_ADMIN_TOKEN: z.string().min(16).optional(),
  SIYU_PHONE_KEY: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 bytes)').optional(),
  SIYU_HASH_KEY: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 bytes)').optional(),
  // demo
  // Unset: on in development, off in production (MONGODB_URI set), so a real database is never seeded by accident.
  SIYU_DEMO: boolish.optional(),
  SIYU_DEMO_ACTIVITY: boolish.default(true),
  SIYU_DEMO_ACTIVITY_MS: z.coerce.number().int().min(200).default(5000),
  // development default channel accounts (production stores accounts in MongoDB)
  WECOM_CORP_ID: z.string().min(1).optional(),
  WECOM_SECRET: z.string().min(1).optional(),
  WECOM_TOKEN: z.string().min(1).optional(),
  WECOM_ENCODING_AES_KEY: z.string().length(43, 'must be 43 characters').optional(),
  WECOM_AGENT_ID: z.string().regex(/^\d+$/).optional(),
  WECOM_API_BASE: z.url().optional(),
  OA_APP_ID: z.string().min(1).optional(),
  OA_APP_SECRET: z.string().min(1).optional(),
  OA_TOKEN: z.string().min(1).optional(),
  OA_ENCODING_AES_KEY: z.string().length(43, 'must be 43 characters').optional(),
  OA_API_BASE: z.url().optional(),
  WECHATY_PUPPET: z.string().min(1).optional(),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(1).optional(),
  WECHATY_BOT_ID: z.string().min(1).default('default-bot'),
  CALLBACK_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(65_536),
  /** How far a callback's signed timestamp may be from our clock, either way, before it is refused as stale. */
  CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().max(86_400).default(300),
});

export type Config = {
  /** `workers` > 1: the HTTP role runs in that many forked processes sharing the port (server/http/http-workers.ts). */
  http: { port: number; host: string; publicUrl: string | undefined; bodyLimitBytes: number; workers: number };
  /** An API request unanswered after `defaultMs` gets 503 (multipart uploads: `uploadMs`), e.g. while the database hangs. */
  requestTimeout: { defaultMs: number; uploadMs: number };
  roles: Array<'http' | 'scheduler'>;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** How long a stop waits for in-flight work (inbox rows, SOP runs, jobs) before releasing it; main.ts exits non-zero past twice this plus 5 s. */
  shutdownTimeoutMs: number;
  db: { uri: string | undefined; name: string; dataDir: string; cacheDir: string };
  security: { adminToken: string | undefined; phoneKey: string | undefined; hashKey: string | undefined };
  demo: { enabled: boolean; activity: boolean; activityIntervalMs: number };
  channels: {
    callbackBodyLimitBytes: number;
    /** CALLBACK_MAX_SKEW_SECONDS: a signed callback older (or newer) than this is refused, and its parameters are remembered as long. */
    callbackMaxSkewSeconds: number;
    /** Development defaults, upserted as each kind's default account at boot when complete. */
    wecom: Record<string, string> | undefined;
    officialAccount: Record<string, string> | undefined;
    wechaty: Record<string, string> | undefined;
  };
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`配置无效 Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  requireProductionKeys(e);
  const demoOn = e.SIYU_DEMO ?? !e.MONGODB_URI;
  return {
    http: { port: e.PORT, host: e.HOST, publicUrl: e.PUBLIC_URL, bodyLimitBytes: e.BODY_LIMIT_BYTES, workers: e.SIYU_HTTP_WORKERS },
    requestTimeout: { defaultMs: e.SIYU_REQUEST_TIMEOUT_MS, uploadMs: e.SIYU_UPLOAD_TIMEOUT_MS },
    roles: e.SIYU_ROLES,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SIYU_SHUTDOWN_TIMEOUT_MS,
    db: { uri: e.MONGODB_URI, name: e.MONGODB_DB, dataDir: e.SIYU_DATA_DIR, cacheDir: e.SIYU_CACHE_DIR },
    security: { adminToken: e.SIYU_ADMIN_TOKEN, phoneKey: e.SIYU_PHONE_KEY, hashKey: e.SIYU_HASH_KEY },
    demo: { enabled: demoOn, activity: demoOn && e.SIYU_DEMO_ACTIVITY, activityIntervalMs: e.SIYU_DEMO_ACTIVITY_MS },
    channels: {
      callbackBodyLimitBytes: e.CALLBACK_BODY_LIMIT_BYTES,
      callbackMaxSkewSeconds: e.CALLBACK_MAX_SKEW_SECONDS,
      wecom: e.WECOM_CORP_ID
        ? compact({ corpId: e.WECOM_CORP_ID, secret: e.WECOM_SECRET, token: e.WECOM_TOKEN, encodingAESKey: e.WECOM_ENCODING_AES_KEY, agentId: e.WECOM_AGENT_ID, apiBase: e.WECOM_API_BASE })
        : undefined,
      officialAccount: e.OA_APP_ID
        ? compact({ appId: e.OA_APP_ID, appSecret: e.OA_APP_SECRET, token: e.OA_TOKEN, encodingAESKey: e.OA_ENCODING_AES_KEY, apiBase: e.OA_API_BASE })
        : undefined,
      wechaty: e.WECHATY_PUPPET ? compact({ botId: e.WECHATY_BOT_ID, puppet: e.WECHATY_PUPPET, puppetToken: e.WECHATY_PUPPET_SERVICE_TOKEN }) : undefined,
    },
  };
}

/**
 * Production (MONGODB_URI set) needs fixed keys: the development ones live in the data dir, so a server started
 * with another data dir would encrypt and match phones with other keys (duplicate contacts, unmatched phones).
 */
function requireProductionKeys(e: z.infer<typeof envSchema>): void {
  if (!e.MONGODB_URI) return;
  const missing = (['SIYU_PHONE_KEY', 'SIYU_HASH_KEY'] as const).filter((k) => !e[k]);
  if (!missing.length) return;
  throw new ConfigError(
    [
      `生产环境（已设置 MONGODB_URI）必须配置 ${missing.join(' 和 ')}（各 64 个十六进制字符），可用 \`openssl rand -hex 32\` 生成；一经使用请勿更换并妥善备份。`,
      `Production (MONGODB_URI is set) requires ${missing.join(' and ')}: 64 hex characters each, e.g. from \`openssl rand -hex 32\`. Keep them safe and never change them once phones are stored.`,
    ].join('\n'),
  );
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));
}
