/** The test-facing side of the official-account simulator: followers, templates, windows, faults, requests. */
import type { RateWindows, RecordedRequest, SimKernel } from '../../wecom/simulator/sim-kernel.ts';
import type { OaFollower, OaSim } from './oa-state.ts';

export type FollowerInput = { openid: string; unionid?: string; subscribed?: boolean; language?: string };

export class OaSimControl {
  constructor(
    private readonly sim: OaSim,
    private readonly kernel: SimKernel,
    private readonly rates: RateWindows,
  ) {}

  addFollower(input: FollowerInput): OaFollower {
    const follower: OaFollower = {
      openid: input.openid,
      ...(input.unionid === undefined ? {} : { unionid: input.unionid }),
      subscribe: input.subscribed === false ? 0 : 1,
      subscribe_time: Math.floor(this.sim.clock.now().getTime() / 1000),
      language: input.language ?? 'zh_CN',
      remark: '',
      tagids: [],
      sentSince: 0,
    };
    this.sim.state.followers.set(follower.openid, follower);
    return follower;
  }

  addTemplate(templateId: string): void {
    this.sim.state.templates.add(templateId);
  }

  /** The user sent a message: opens (or reopens) the 48-hour / 5-message customer-service window. */
  customerMessaged(openid: string, at: Date = this.sim.clock.now()): void {
    const follower = this.sim.state.followers.get(openid) ?? this.addFollower({ openid });
    follower.lastMessageAt = at;
    follower.sentSince = 0;
  }

  unsubscribe(openid: string): void {
    const follower = this.sim.state.followers.get(openid);
    if (follower) follower.subscribe = 0;
  }

  /** Every token issued so far answers 42001 from now on. */
  expireTokens(): void {
    this.sim.tokens.expireAll();
  }

  /** The next `count` calls to `api` (path below /cgi-bin/) answer `errcode` without running. */
  injectErrors(api: string, errcode: number, count = 1): void {
    this.kernel.faults.inject(api, errcode, count);
  }

  /** A daily call quota for one API (45009 beyond it), as the official account enforces per API. */
  setDailyQuota(api: string, calls: number): void {
    this.rates.set(api, calls, 24 * 3_600_000);
  }

  requests(api?: string): RecordedRequest[] {
    return api === undefined ? [...this.kernel.requests] : this.kernel.requests.filter((r) => r.api === api);
  }

  clearRequests(): void {
    this.kernel.requests.length = 0;
  }

  get tokensMinted(): number {
    return this.sim.tokens.minted;
  }
}
