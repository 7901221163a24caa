/**
 * JS-SDK tickets: get_jsapi_ticket (the corp's, for `config`) and ticket/get?type=agent_config (the app's, for
 * `agentConfig`). Like access tokens, a ticket is returned again while valid (7200 s); fetches are limited to 400
 * an hour per corp and 100 an hour per app (45009). https://developer.work.weixin.qq.com/document/path/90506
 */
import { fail } from './sim-kernel.ts';
import type { ApiRoute } from './sim-kernel.ts';
import { TokenRegistry } from './sim-tokens.ts';
import type { WecomSim } from './wecom-sim-context.ts';
import type { WecomSimState } from './wecom-state.ts';

export const JSAPI_TICKET_TTL_S = 7200;
export const JSAPI_FETCHES_PER_HOUR = { corp: 400, app: 100 };

type Kind = 'corp' | 'agent';

class JsapiTicketState {
  readonly registry: TokenRegistry;
  /** Fetch times (ms) per corp and per `kind/app`, for the hourly limits. */
  private readonly hits = new Map<string, number[]>();
  private readonly last = new Map<string, string>();

  constructor(private readonly sim: WecomSim) {
    this.registry = new TokenRegistry(sim.clock, { ttlSeconds: JSAPI_TICKET_TTL_S, reuse: true, supersededGraceMs: 0, supersededCode: 42001 });
  }

  /** Counts a fetch; false when the corp's or the app's hourly allowance is used up. */
  allow(kind: Kind, app: string): boolean {
    const now = this.sim.clock.now().getTime();
    const windows: [string, number][] = [[`${kind}:corp`, JSAPI_FETCHES_PER_HOUR.corp], [`${kind}:${app}`, JSAPI_FETCHES_PER_HOUR.app]];
    const recent = windows.map(([key]) => (this.hits.get(key) ?? []).filter((t) => t > now - 3_600_000));
    if (windows.some(([, max], i) => recent[i]!.length >= max)) return false;
    windows.forEach(([key], i) => this.hits.set(key, [...recent[i]!, now]));
    return true;
  }

  issue(kind: Kind, app: string): { ticket: string; expires_in: number } {
    if (!this.allow(kind, app)) fail(45009, 'api freq out of limit (jsapi_ticket)');
    const { access_token, expires_in } = this.registry.issue(`${kind}:${app}`);
    this.last.set(`${kind}:${app}`, access_token);
    return { ticket: access_token, expires_in };
  }

  /** The ticket a page signed with `kind` must use (tests recompute signatures with it); null before any fetch. */
  current(kind: Kind, app: string): string | null {
    return this.last.get(`${kind}:${app}`) ?? null;
  }
}

const states = new WeakMap<WecomSimState, JsapiTicketState>();

/** The ticket state of one simulator (tests read the current tickets through it). */
export function jsapiTicketsOf(state: WecomSimState): { current(kind: Kind, app: string): string | null } {
  const found = states.get(state);
  if (!found) throw new Error('this simulator serves no JS-SDK tickets');
  return found;
}

export function jsapiRoutes(sim: WecomSim): ApiRoute[] {
  const tickets = new JsapiTicketState(sim);
  states.set(sim.state, tickets);
  return [
    { method: 'GET', api: 'get_jsapi_ticket', auth: true, handler: ({ caller }) => tickets.issue('corp', caller) },
    {
      method: 'GET',
      api: 'ticket/get',
      auth: true,
      handler: ({ query, caller }) => {
        if (query.type !== 'agent_config') fail(40058, 'type must be agent_config');
        return tickets.issue('agent', caller);
      },
    },
  ];
}
