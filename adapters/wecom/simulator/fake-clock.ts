/**
 * A clock tests move by hand, shared by a simulator and the clients under test so that windows (20-second
 * welcome codes, 48-hour KF windows, token lifetimes) can be crossed without waiting. `sleep` advances it.
 */
export class FakeClock {
  private t: number;

  constructor(start: Date | string = '2026-03-02T02:00:00Z') {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  advance(ms: number): void {
    this.t += ms;
  }

  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }

  /** A `sleep` for clients under test: returns at once, with the clock moved forward by `ms`. */
  readonly sleep = (ms: number): Promise<void> => {
    this.advance(ms);
    return Promise.resolve();
  };
}
