/**
 * Access tokens cached per (corp or app id, secret): each WeCom app secret has its own token, and an official
 * account's new token retires the old one, so concurrent callers must share one fetch (single flight).
 */
import { createHash } from 'node:crypto';
import { WecomApiError } from './wecom-api-error.ts';

/** Time is an input (tests pin it). */
export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

/** Whose token: a WeCom corp id or official-account app id, and the secret it is fetched with. */
export type TokenCredentials = { id: string; secret: string };

/** What a token endpoint granted. */
export type TokenGrant = { accessToken: string; expiresInSeconds: number };

export type AccessTokenCacheOptions = {
  clock?: Clock;
  /** Refresh this long before the token expires (default 300 s, at most half the lifetime). */
  marginSeconds?: number;
  /**
   * After a configuration error from the token endpoint, answer with the same error for this long instead of
   * calling again (default 60 s): a flood of failing token calls can get the account blocked for an hour.
   */
  failureHoldSeconds?: number;
};

type Entry = { token: string; refreshAt: number };
type Failure = { error: unknown; until: number };

function cacheKey(credentials: TokenCredentials): string {
  const secretHash = createHash('sha256').update(credentials.secret).digest('base64url');
  return `${credentials.id}\u0000${secretHash}`;
}

function holdsFailure(err: unknown): boolean {
  return err instanceof WecomApiError && err.kind === 'config';
}

/** One cache can serve every account of a process; it never calls Tencent itself (the caller passes the fetch). */
export class AccessTokenCache {
  private readonly clock: Clock;
  private readonly marginMs: number;
  private readonly holdMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly failures = new Map<string, Failure>();

  constructor(options: AccessTokenCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.marginMs = (options.marginSeconds ?? 300) * 1000;
    this.holdMs = (options.failureHoldSeconds ?? 60) * 1000;
  }

  /** Returns a valid token, fetching it at most once at a time per credentials. */
  get(credentials: TokenCredentials, fetchToken: () => Promise<TokenGrant>): Promise<string> {
    const key = cacheKey(credentials);
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && now < entry.refreshAt) return Promise.resolve(entry.token);
    const failure = this.failures.get(key);
    if (failure && now < failure.until) return Promise.reject(failure.error);
    const pending = this.inflight.get(key);
    if (pending) return pending;

    const started = this.refresh(key, fetchToken).finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }

  /**
   * Drops the cached token after Tencent rejected it. With `staleToken`, only if it is still the cached one,
   * so ten callers failing with the same old token cause one refresh, not ten.
   */
  invalidate(credentials: TokenCredentials, staleToken?: string): void {
    const key = cacheKey(credentials);
    const entry = this.entries.get(key);
    if (entry && (staleToken === undefined || entry.token === staleToken)) this.entries.delete(key);
  }

  private async refresh(key: string, fetchToken: () => Promise<TokenGrant>): Promise<string> {
    try {
      const grant = await fetchToken();
      const lifetimeMs = grant.expiresInSeconds * 1000;
      const margin = Math.min(this.marginMs, lifetimeMs / 2);
      this.entries.set(key, { token: grant.accessToken, refreshAt: this.clock.now().getTime() + lifetimeMs - margin });
      this.failures.delete(key);
      return grant.accessToken;
    } catch (err) {
      if (holdsFailure(err)) this.failures.set(key, { error: err, until: this.clock.now().getTime() + this.holdMs });
      throw err;
    }
  }
}
