/** What every WeCom simulator route sees: the data, the clock, the limits, the token registry and live settings. */
import type { SimClock } from './sim-kernel.ts';
import type { TokenRegistry } from './sim-tokens.ts';
import type { WecomLimits } from './wecom-limits.ts';
import type { WecomSimState } from './wecom-state.ts';

export type WecomSimSettings = {
  /** After add_msg_template, read APIs answer 41063 ("still dispatching") for this long. */
  massDispatchDelayMs: number;
  /** add_moment_task jobs report status 1 (running) for this long, then 2 (done). */
  momentJobMs: number;
};

export type WecomSim = {
  state: WecomSimState;
  clock: SimClock;
  limits: WecomLimits;
  tokens: TokenRegistry;
  settings: WecomSimSettings;
};

export function nowSeconds(sim: WecomSim): number {
  return Math.floor(sim.clock.now().getTime() / 1000);
}
