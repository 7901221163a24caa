/**
 * Access tokens as the simulators issue them. WeCom returns the same token while it is valid; the official account
 * issues a new one on every fetch and keeps the previous one usable for a 5-minute grace (then 40001).
 */
import { randomBytes } from 'node:crypto';
import { fail } from './sim-kernel.ts';
import type { SimClock } from './sim-kernel.ts';

export type TokenPolicy = {
  ttlSeconds: number;
  /** True: a fetch while a token is valid returns it again (WeCom). False: every fetch mints a new one. */
  reuse: boolean;
  /** How long a superseded token still works (reuse false only). */
  supersededGraceMs: number;
  /** errcode for a superseded token past its grace. */
  supersededCode: number;
};

type Issued = { owner: string; expiresAt: number; supersededAt?: number; expired: boolean };

export class TokenRegistry {
  private readonly tokens = new Map<string, Issued>();
  private readonly current = new Map<string, string>();
  /** Tokens minted, for tests that count fetches. */
  minted = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly policy: TokenPolicy,
  ) {}

  issue(owner: string): { access_token: string; expires_in: number } {
    const now = this.clock.now().getTime();
    const currentToken = this.current.get(owner);
    const existing = currentToken === undefined ? undefined : this.tokens.get(currentToken);
    if (this.policy.reuse && currentToken && existing && !existing.expired && now < existing.expiresAt) {
      return { access_token: currentToken, expires_in: Math.floor((existing.expiresAt - now) / 1000) };
    }
    if (existing) existing.supersededAt = now;
    const token = `SIM_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { owner, expiresAt: now + this.policy.ttlSeconds * 1000, expired: false });
    this.current.set(owner, token);
    this.minted++;
    return { access_token: token, expires_in: this.policy.ttlSeconds };
  }

  /** The token's owner, or the errcode Tencent would answer: 41001 missing, 40014 unknown, 42001 expired. */
  authenticate(token: string | undefined): string {
    if (!token) fail(41001, 'access_token missing');
    const issued = this.tokens.get(token);
    if (!issued) fail(40014, 'invalid access_token');
    const now = this.clock.now().getTime();
    if (issued.expired || now >= issued.expiresAt) fail(42001, 'access_token expired');
    if (issued.supersededAt !== undefined && now >= issued.supersededAt + this.policy.supersededGraceMs) {
      fail(this.policy.supersededCode, 'access_token is invalid or not latest');
    }
    return issued.owner;
  }

  /** Expires every token issued so far (the next call with one answers 42001). */
  expireAll(): void {
    for (const issued of this.tokens.values()) issued.expired = true;
  }
}
