/**
 * A token bucket per API path, so one account stays below Tencent's per-API frequency limits instead of
 * discovering them through 45009 (protocol notes §4: 10,000/min and 150,000/hour per corp and API).
 */
import { systemClock } from './access-token-cache.ts';
import type { Clock } from './access-token-cache.ts';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `perMinute` refills continuously; `burst` is the bucket size. In any 60-second window at most
 * `burst + perMinute` calls pass, so keep that sum under the vendor limit.
 */
export type ThrottleRule = { perMinute: number; burst: number };

/**
 * 2,400/min with a burst of 300: at most 2,700 calls in any minute and 144,300 in any hour, under WeCom's
 * 10,000/min and 150,000/hour (the hourly limit is the binding one for sustained traffic).
 */
export const WECOM_DEFAULT_RULE: ThrottleRule = { perMinute: 2_400, burst: 300 };

export type ApiThrottleOptions = {
  clock?: Clock;
  sleep?: Sleep;
  defaultRule?: ThrottleRule;
  /** Per-API overrides keyed by the path below `/cgi-bin/`. */
  rules?: Readonly<Record<string, ThrottleRule>>;
};

type Bucket = { tokens: number; at: number };

/**
 * Share one instance per account (corp) across clients: the limits are per corp, not per client object.
 * Callers reserve a token and sleep off any debt, so waiting callers are served in arrival order.
 */
export class ApiThrottle {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly defaultRule: ThrottleRule;
  private readonly rules: Readonly<Record<string, ThrottleRule>>;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: ApiThrottleOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.defaultRule = options.defaultRule ?? WECOM_DEFAULT_RULE;
    this.rules = options.rules ?? {};
  }

  /** Resolves when the call may go out; the returned number is how long it waited (ms). */
  async take(api: string): Promise<number> {
    const rule = this.rules[api] ?? this.defaultRule;
    const perMs = rule.perMinute / 60_000;
    const now = this.clock.now().getTime();
    const bucket = this.buckets.get(api) ?? { tokens: rule.burst, at: now };
    bucket.tokens = Math.min(rule.burst, bucket.tokens + (now - bucket.at) * perMs) - 1;
    bucket.at = now;
    this.buckets.set(api, bucket);
    if (bucket.tokens >= 0) return 0;
    const waitMs = Math.ceil(-bucket.tokens / perMs);
    await this.sleep(waitMs);
    return waitMs;
  }
}
