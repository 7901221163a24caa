/**
 * Errors of the Tencent server APIs (WeCom and the official account). Callers branch on `errcode` and `kind`,
 * never on `errmsg`: Tencent appends hints to it and says it may change (protocol notes §4).
 */

/**
 * What an errcode means for the caller:
 * - `token`: the access token is invalid or expired; the request core refreshes and retries once.
 * - `rate_limit`: frequency or concurrency limits (and "system busy"); back off and retry.
 * - `config`: the account is misconfigured (secret, corp id, trusted IP, API permission); retrying cannot help.
 * - `window`: a send window is closed (welcome code, 48-hour / 5-message allowances).
 * - `invalid`: the request itself was refused (unknown ids, sizes over a documented limit).
 * - `other`: anything else.
 */
export type WecomErrorKind = 'token' | 'rate_limit' | 'config' | 'window' | 'invalid' | 'other';

export type WecomApiErrorInit = {
  errcode: number;
  errmsg: string;
  /** The API path below `/cgi-bin/`, e.g. `externalcontact/get`. */
  api: string;
  kind: WecomErrorKind;
  /** True when the client refused without calling Tencent (a window it already knew to be closed). */
  local?: boolean;
};

/** Codes worth retrying later even though they are neither token nor rate-limit errors. */
const RETRY_LATER = new Set([6000, 41063]);

/** A non-zero `errcode` from a Tencent API, classified. A failed send is data: keep `errcode` on the touch. */
export class WecomApiError extends Error {
  override readonly name: string = 'WecomApiError';
  readonly errcode: number;
  readonly errmsg: string;
  readonly api: string;
  readonly kind: WecomErrorKind;
  readonly local: boolean;

  constructor(init: WecomApiErrorInit, options?: ErrorOptions) {
    super(`${init.api} failed: errcode ${init.errcode} (${init.kind})`, options);
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.api = init.api;
    this.kind = init.kind;
    this.local = init.local ?? false;
  }

  /** Whether a later attempt may succeed (the job layer decides when). */
  get retryable(): boolean {
    return this.kind === 'rate_limit' || this.kind === 'token' || RETRY_LATER.has(this.errcode);
  }
}

/** The call never produced a Tencent answer: network failure, timeout, non-200 status or a body that is not JSON. */
export class WecomTransportError extends Error {
  override readonly name: string = 'WecomTransportError';
  constructor(
    readonly api: string,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(`${api}: ${message}`, options);
  }
}

const TOKEN = new Set([40014, 42001]);
const RATE_LIMIT = new Set([-1, 45009, 45033]);
// 45035 is an IP-whitelist error where it exists at all (protocol notes §4), so it is configuration too.
// 40056 / 41011 / 301002: the account's agentId is no app of the corp, missing, or not the app of its secret.
const CONFIG = new Set([40001, 40013, 40056, 40091, 41002, 41004, 41011, 45035, 48002, 48006, 60020, 301002]);
const WINDOW = new Set([41050, 41051, 95001, 95002, 95018]);
const INVALID = new Set([
  40003, 40008, 40029, 40032, 40050, 40058, 40063, 40068, 40088, 40096, 40126, 40128, 41008, 41009, 41035, 41037,
  41038, 41039, 41040, 41041, 41043, 41044, 41045, 41046, 41047, 41048, 41049, 41065, 44004, 45002, 47001, 50100, 60111, 81017,
  81013, 84061, 95000, 95007,
]);

/** Classifies a WeCom errcode. On `gettoken` every refusal that is not a rate limit is a configuration error. */
export function classifyWecomErrcode(errcode: number, api: string): WecomErrorKind {
  if (RATE_LIMIT.has(errcode)) return 'rate_limit';
  if (api === 'gettoken') return 'config';
  if (TOKEN.has(errcode)) return 'token';
  if (CONFIG.has(errcode)) return 'config';
  if (WINDOW.has(errcode)) return 'window';
  if (INVALID.has(errcode)) return 'invalid';
  return 'other';
}
