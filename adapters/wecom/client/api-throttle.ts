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
 * `burst + perMinute` calls pass, so keep that sum under the vendor limit. `sustained` adds a second bucket every
 * call must also draw from: in any hour at most `sustained.burst + 60 × sustained.perMinute` calls pass. Together
 * they let a burst run at the minute limit while the hour's budget lasts, then settle at the hourly rate.
 */
export type ThrottleRule = { perMinute: number; burst: number; sustained?: { perMinute: number; burst: number } };

/**
 * 2,400/min with a burst of 300: at most 2,700 calls in any minute and 144,300 in any hour, under WeCom's
 * 10,000/min and 150,000/hour (the hourly limit is the binding one for sustained traffic).
 */
export const WECOM_DEFAULT_RULE: ThrottleRule = { perMinute: 2_400, burst: 300 };

/**
 * The calls the inbound processor makes per event, which arrive in bursts: the detail an add or a group change
 * waits on (a store opening or a live-code poster brings adds in bursts, and each add's welcome code dies 20 s after
 * it), and the 微信客服 sync and session moves (a campaign brings customers all at once). At most
 * 9,600 calls in any minute (9,000/min plus 600) and 149,000 in any hour (29,000 plus 2,000/min), under WeCom's
 * 10,000/min and 150,000/hour per corp and API: about 150 calls/s for the first 29,000 of a burst (three minutes
 * and more), 33/s after that. The hour's budget goes mostly to bursts, because that is when customers wait on
 * these calls; steady traffic above 2,000 a minute for an hour is not what a store sees.
 * Assumes one process (the scheduler's inbound processor) makes most of these calls, as the roles do today: the
 * buckets are per process. kf/send_msg keeps the default rule, because the dispatch workers send SOP touches
 * through it too and several processes bursting on one API would pass WeCom's minute limit (a 60 s block).
 */
export const WECOM_BURST_RULE: ThrottleRule = { perMinute: 9_000, burst: 600, sustained: { perMinute: 2_000, burst: 29_000 } };

/** The per-API rules a WeCom client starts with (a client's own `rules` take precedence). */
export const WECOM_API_RULES: Readonly<Record<string, ThrottleRule>> = Object.fromEntries(
  ['externalcontact/get', 'externalcontact/groupchat/get', 'kf/sync_msg', 'kf/service_state/get', 'kf/service_state/trans'].map((api) => [api, WECOM_BURST_RULE]),
);

export type ApiThrottleOptions = {
  clock?: Clock;
  sleep?: Sleep;
  defaultRule?: ThrottleRule;
  /** Per-API overrides keyed by the path below `/cgi-bin/` (on top of WECOM_API_RULES). */
  rules?: Readonly<Record<string, ThrottleRule>>;
};

type Bucket = { tokens: number; at: number };

/** Refills `bucket` to `now` at `perMinute` (capped at `burst`), takes one token and answers the wait its debt means (ms). */
function draw(bucket: Bucket, limit: { perMinute: number; burst: number }, now: number): number {
  const perMs = limit.perMinute / 60_000;
  // A clock stepped back (NTP, a test's clock) refills nothing; it must not draw the bucket into debt either.
  bucket.tokens = Math.min(limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs) - 1;
  bucket.at = Math.max(bucket.at, now);
  return bucket.tokens >= 0 ? 0 : Math.ceil(-bucket.tokens / perMs);
}

/**
 * Share one instance per account (corp) across clients: the limits are per corp, not per client object.
 * Callers reserve a token and sleep off any debt, so waiting callers are served in arrival order.
 */
export class ApiThrottle {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly defaultRule: ThrottleRule;
  private readonly rules: Readonly<Record<string, ThrottleRule>>;
  private readonly buckets = new Map<string, { short: Bucket; sustained: Bucket | null }>();

  constructor(options: ApiThrottleOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.defaultRule = options.defaultRule ?? WECOM_DEFAULT_RULE;
    this.rules = { ...WECOM_API_RULES, ...options.rules };
  }

  /**
   * Resolves when the call may go out; the returned number is how long it waited (ms). With `maxWaitMs`, a call
   * that would wait longer takes nothing and resolves null at once: the caller gives up before queueing, rather
   * than spend a token on an answer it will no longer wait for.
   */
  async take(api: string, maxWaitMs = Number.POSITIVE_INFINITY): Promise<number | null> {
    const rule = this.rules[api] ?? this.defaultRule;
    const now = this.clock.now().getTime();
    let buckets = this.buckets.get(api);
    if (!buckets) {
      buckets = { short: { tokens: rule.burst, at: now }, sustained: rule.sustained ? { tokens: rule.sustained.burst, at: now } : null };
      this.buckets.set(api, buckets);
    }
    // Drawn on copies, kept only when the wait is acceptable.
    const short = { ...buckets.short };
    const sustained = buckets.sustained ? { ...buckets.sustained } : null;
    // Both buckets lend: the call goes out once the deeper debt is paid off.
    const waitMs = Math.max(draw(short, rule, now), sustained && rule.sustained ? draw(sustained, rule.sustained, now) : 0);
    if (waitMs > maxWaitMs) return null;
    buckets.short = short;
    buckets.sustained = sustained;
    if (waitMs > 0) await this.sleep(waitMs);
    return waitMs;
  }
}
