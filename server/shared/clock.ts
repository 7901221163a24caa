/** Time is an input: everything that needs "now" takes a Clock (tests pin it). */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock pinned at `at`; with `running`, it ticks with real time from there (offset by set / advance). */
export function fixedClock(at: Date | string, running = false): Clock & { set(d: Date | string): void; advance(ms: number): void } {
  let t = new Date(at).getTime();
  const origin = Date.now();
  return {
    now: () => new Date(running ? t + (Date.now() - origin) : t),
    set: (d) => (t = new Date(d).getTime()),
    advance: (ms) => (t += ms),
  };
}
