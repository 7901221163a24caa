/**
 * Official-account (公众号) error codes and the request-core dialect. The codes overlap WeCom's but not their
 * meaning: here 40001 is "invalid credential" (refresh and retry once) except on the token endpoint, and 45009
 * is the *daily* quota, which no short backoff can wait out (protocol notes §4, §5).
 */
import { WecomApiError } from '../../wecom/client/wecom-api-error.ts';
import type { WecomApiErrorInit, WecomErrorKind } from '../../wecom/client/wecom-api-error.ts';
import type { TencentDialect } from '../../wecom/client/wecom-http.ts';

/** A non-zero errcode from api.weixin.qq.com; same fields and kinds as {@link WecomApiError}. */
export class OfficialAccountApiError extends WecomApiError {
  override readonly name: string = 'OfficialAccountApiError';
  constructor(init: WecomApiErrorInit, options?: ErrorOptions) {
    super(init, options);
  }
}

const TOKEN = new Set([40001, 40014, 42001]);
const RATE_LIMIT = new Set([-1, 45009, 45011]);
const CONFIG = new Set([40002, 40013, 40125, 40164, 41002, 41004, 48001, 61004]);
const WINDOW = new Set([45015, 45047]);
const INVALID = new Set([40003, 40008, 40032, 40037, 43004, 44004, 45056, 45059, 45157, 45158, 45159, 47003, 49003]);

/** Classifies an official-account errcode; on the `token` endpoint every refusal but a busy signal is configuration. */
export function classifyOfficialAccountErrcode(errcode: number, api: string): WecomErrorKind {
  if (RATE_LIMIT.has(errcode)) return 'rate_limit';
  if (api === 'token') return 'config';
  if (TOKEN.has(errcode)) return 'token';
  if (CONFIG.has(errcode)) return 'config';
  if (WINDOW.has(errcode)) return 'window';
  if (INVALID.has(errcode)) return 'invalid';
  return 'other';
}

/** https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html */
export const OFFICIAL_ACCOUNT_DIALECT: TencentDialect = {
  tokenApi: 'token',
  tokenQuery: (credentials) => ({ grant_type: 'client_credential', appid: credentials.id, secret: credentials.secret }),
  classify: classifyOfficialAccountErrcode,
  // 45009 (daily quota) is left to the job layer: only "busy" and the per-minute limit are waited out here.
  backoffCodes: new Set([-1, 45011]),
  createError: (init) => new OfficialAccountApiError(init),
};
