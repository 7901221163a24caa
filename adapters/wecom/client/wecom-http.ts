/**
 * The request core shared by the WeCom and official-account clients: JSON over HTTP (http-transport.ts) against a configurable
 * base URL, the access token injected as `access_token`, and the retry policy of protocol notes §4:
 * - token errors (40014 / 42001): drop the cached token, fetch a new one, retry once;
 * - busy / rate-limited (-1 / 45009 / 45033 …): bounded exponential backoff with jitter;
 * - configuration errors (40001 on gettoken, 60020, 48002 …): fail at once, no retry.
 * Outcomes are decided on `errcode` alone.
 */
import { AccessTokenCache, systemClock } from './access-token-cache.ts';
import type { Clock, TokenCredentials, TokenGrant } from './access-token-cache.ts';
import { ApiThrottle, realSleep } from './api-throttle.ts';
import type { Sleep, ThrottleRule } from './api-throttle.ts';
import { fetchTransport, undiciTransport, type HttpReply, type HttpTransport } from './http-transport.ts';
import { classifyWecomErrcode, WecomApiError, WecomTransportError } from './wecom-api-error.ts';
import type { WecomApiErrorInit, WecomErrorKind } from './wecom-api-error.ts';

export type QueryValue = string | number | undefined;

/** One API call: `api` is the path below `/cgi-bin/` (e.g. `externalcontact/get`). */
export type ApiRequest = {
  method: 'GET' | 'POST';
  api: string;
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
  /**
   * How long the caller will wait for our own throttle: a call it would hold longer is refused before calling
   * (45009, `local`), with no token spent.
   */
  maxWaitMs?: number;
};

/** Every Tencent answer carries these (success may omit them on some official-account endpoints). */
export type TencentReply = { errcode?: number; errmsg?: string };

/** `retries` extra attempts, the n-th waiting about `min(maxMs, baseMs·2ⁿ)`, jittered to 50–100 % of that. */
export type BackoffPolicy = { retries: number; baseMs: number; maxMs: number };
export const DEFAULT_BACKOFF: BackoffPolicy = { retries: 3, baseMs: 1_000, maxMs: 10_000 };

/** What differs between the WeCom and the official-account APIs. */
export type TencentDialect = {
  /** Token endpoint below `/cgi-bin/` and its query. */
  tokenApi: string;
  tokenQuery(credentials: TokenCredentials): Record<string, string>;
  classify(errcode: number, api: string): WecomErrorKind;
  /** Codes retried after a backoff (the request was not carried out, so retrying cannot duplicate it). */
  backoffCodes: ReadonlySet<number>;
  createError(init: WecomApiErrorInit): WecomApiError;
};

/** https://developer.work.weixin.qq.com/document/path/91039 (gettoken), /90455 (global codes) */
export const WECOM_DIALECT: TencentDialect = {
  tokenApi: 'gettoken',
  tokenQuery: (credentials) => ({ corpid: credentials.id, corpsecret: credentials.secret }),
  classify: classifyWecomErrcode,
  // 6000 (data version conflict) and 41063 (mass message still dispatching) are "try again shortly" too.
  backoffCodes: new Set([-1, 45009, 45033, 6000, 41063]),
  createError: (init) => new WecomApiError(init),
};

export type WecomHttpOptions = {
  /** e.g. `https://qyapi.weixin.qq.com`, or a simulator's base URL. */
  baseUrl: string;
  credentials: TokenCredentials;
  dialect?: TencentDialect;
  /** Share one cache per process so every client of an account reuses its token. */
  tokenCache?: AccessTokenCache;
  /** Share one throttle per account; the default is per client. */
  throttle?: ApiThrottle;
  /** Per-API rules for the default throttle (ignored when `throttle` is given). */
  throttleRules?: Readonly<Record<string, ThrottleRule>>;
  /** Sends the requests through this `fetch` instead of the default transport (tests that hold a reply back). */
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
  clock?: Clock;
  backoff?: Partial<BackoffPolicy>;
  timeoutMs?: number;
};

/** The delay before retry number `attempt` (0-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function errcodeOf(reply: TencentReply): number {
  return typeof reply.errcode === 'number' ? reply.errcode : 0;
}

/** Sends API requests for one account (corp + secret, or app id + secret). */
export class WecomHttp {
  readonly clock: Clock;
  private readonly baseUrl: string;
  private readonly credentials: TokenCredentials;
  private readonly dialect: TencentDialect;
  private readonly cache: AccessTokenCache;
  private readonly throttle: ApiThrottle;
  private readonly transport: HttpTransport;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly timeoutMs: number;

  constructor(options: WecomHttpOptions) {
    this.clock = options.clock ?? systemClock;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.dialect = options.dialect ?? WECOM_DIALECT;
    this.cache = options.tokenCache ?? new AccessTokenCache({ clock: this.clock });
    this.sleep = options.sleep ?? realSleep;
    this.throttle = options.throttle ?? new ApiThrottle({ clock: this.clock, sleep: this.sleep, rules: options.throttleRules });
    this.transport = options.fetch ? fetchTransport(options.fetch) : undiciTransport;
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Calls an API with the account's token; resolves with the reply when `errcode` is 0. */
  async call<T extends object>(request: ApiRequest): Promise<T & TencentReply> {
    let refreshed = false;
    let backoffs = 0;
    for (;;) {
      if ((await this.throttle.take(request.api, request.maxWaitMs)) === null) {
        const errmsg = `refused before calling: the throttle would hold it longer than the caller's ${request.maxWaitMs} ms`;
        throw this.dialect.createError({ errcode: 45009, errmsg, api: request.api, kind: 'rate_limit', local: true });
      }
      const token = await this.accessToken();
      const reply = await this.exchange(request, token);
      const errcode = errcodeOf(reply);
      if (errcode === 0) return reply as T & TencentReply;
      const kind = this.dialect.classify(errcode, request.api);
      if (kind === 'token' && !refreshed) {
        refreshed = true;
        this.cache.invalidate(this.credentials, token);
        continue;
      }
      if (this.dialect.backoffCodes.has(errcode) && backoffs < this.backoff.retries) {
        await this.sleep(backoffDelay(this.backoff, backoffs++, this.random));
        continue;
      }
      throw this.dialect.createError({ errcode, errmsg: String(reply.errmsg ?? ''), api: request.api, kind });
    }
  }

  /** The cached token, fetched once at a time when missing or about to expire. */
  accessToken(): Promise<string> {
    return this.cache.get(this.credentials, () => this.fetchToken());
  }

  private async fetchToken(): Promise<TokenGrant> {
    const api = this.dialect.tokenApi;
    for (let backoffs = 0; ; ) {
      await this.throttle.take(api);
      const reply = await this.exchange({ method: 'GET', api, query: this.dialect.tokenQuery(this.credentials) });
      const errcode = errcodeOf(reply);
      if (errcode === 0) {
        const { access_token: accessToken, expires_in: expiresIn } = reply as { access_token?: unknown; expires_in?: unknown };
        if (typeof accessToken !== 'string' || typeof expiresIn !== 'number') {
          throw new WecomTransportError(api, 'token reply lacks access_token or expires_in');
        }
        return { accessToken, expiresInSeconds: expiresIn };
      }
      if (this.dialect.backoffCodes.has(errcode) && backoffs < this.backoff.retries) {
        await this.sleep(backoffDelay(this.backoff, backoffs++, this.random));
        continue;
      }
      const kind = this.dialect.classify(errcode, api);
      throw this.dialect.createError({ errcode, errmsg: String(reply.errmsg ?? ''), api, kind });
    }
  }

  private url(request: ApiRequest, token: string | undefined): string {
    const url = new URL(`${this.baseUrl}/cgi-bin/${request.api}`);
    if (token !== undefined) url.searchParams.set('access_token', token);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  private async exchange(request: ApiRequest, token?: string): Promise<TencentReply> {
    let response: HttpReply;
    try {
      response = await this.transport({ method: request.method, url: this.url(request, token), ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}), timeoutMs: this.timeoutMs });
    } catch (err) {
      throw new WecomTransportError(request.api, `request failed: ${(err as Error).message}`, undefined, { cause: err });
    }
    if (response.status !== 200) {
      await response.discard();
      throw new WecomTransportError(request.api, `HTTP ${response.status}`, response.status);
    }
    let reply: unknown;
    try {
      reply = await response.json();
    } catch (err) {
      throw new WecomTransportError(request.api, 'reply is not JSON', 200, { cause: err });
    }
    if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
      throw new WecomTransportError(request.api, 'reply is not a JSON object', 200);
    }
    return reply as TencentReply;
  }
}
