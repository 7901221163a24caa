import { expect } from 'chai';
import { FakeClock } from '../simulator/fake-clock.ts';
import { ApiThrottle, WECOM_BURST_RULE } from './api-throttle.ts';
import { checkSendWindow, FORTY_EIGHT_HOURS_FIVE_MESSAGES } from './send-window.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './wecom-http.ts';

describe('ApiThrottle', () => {
  it('lets a burst through, then spaces calls at the refill rate', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep, defaultRule: { perMinute: 60, burst: 3 } });
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await throttle.take('externalcontact/list'));
    expect(waits).to.deep.equal([0, 0, 0, 1000, 1000]);
  });

  it('refuses at once, taking nothing, a call it would hold longer than the caller will wait', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep, defaultRule: { perMinute: 60, burst: 1 } });
    expect(await throttle.take('externalcontact/list', 500)).to.equal(0);
    expect(await throttle.take('externalcontact/list', 500), 'a second call would wait 1 s').to.equal(null);
    expect(await throttle.take('externalcontact/list', 500), 'still 1 s: the refusal took no token').to.equal(null);
    expect(await throttle.take('externalcontact/list', 1000)).to.equal(1000);
  });

  it('keeps separate buckets per API and honours per-API rules', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({
      clock,
      sleep: clock.sleep,
      defaultRule: { perMinute: 60, burst: 1 },
      rules: { 'kf/send_msg': { perMinute: 30, burst: 1 } },
    });
    expect(await throttle.take('a')).to.equal(0);
    expect(await throttle.take('kf/send_msg')).to.equal(0);
    expect(await throttle.take('kf/send_msg')).to.equal(2000);
  });

  it('never lets more than burst + perMinute through in any minute', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep, defaultRule: { perMinute: 10, burst: 4 } });
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      await throttle.take('x');
      times.push(clock.now().getTime());
    }
    const worst = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 60_000).length));
    expect(worst).to.be.at.most(14);
  });
});

describe('ApiThrottle with a sustained rate', () => {
  /** The most calls in any window of `windowMs` (the times are in order). */
  const worstWindow = (times: number[], windowMs: number) => {
    let worst = 0;
    for (let from = 0, to = 0; to < times.length; to++) {
      while (times[to]! - times[from]! >= windowMs) from++;
      worst = Math.max(worst, to - from + 1);
    }
    return worst;
  };

  it('does not make callers wait when the clock steps back', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep, defaultRule: { perMinute: 60, burst: 2 } });
    await throttle.take('x');
    clock.advance(-2 * 86_400_000);
    expect(await throttle.take('x')).to.equal(0);
    // Spent tokens still count: the third call within the burst waits its second, not days.
    expect(await throttle.take('x')).to.equal(1000);
  });

  it('runs a burst at the short rate until the sustained bucket is empty, then at the sustained rate', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep, defaultRule: { perMinute: 60, burst: 2, sustained: { perMinute: 6, burst: 4 } } });
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await throttle.take('x'));
    // Two at once, two a second apart (the short bucket), then one per 10 s (the sustained one).
    expect(waits).to.deep.equal([0, 0, 1000, 1000, 8000, 10000]);
  });

  it('keeps the detail reads under WeCom\'s 10,000 a minute and 150,000 an hour, and takes a burst of 29,000 in about three minutes', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep });
    const start = clock.now().getTime();
    const times: number[] = [];
    for (let i = 0; i < 160_000; i++) {
      await throttle.take('externalcontact/get');
      times.push(clock.now().getTime());
    }
    expect(times[4_999]! - start).to.be.below(35_000);
    expect(times[28_999]! - start).to.be.below(200_000);
    expect(worstWindow(times, 60_000)).to.be.at.most(9_600);
    expect(worstWindow(times, 3_600_000)).to.be.at.most(149_000);
    expect(WECOM_BURST_RULE.sustained).to.deep.equal({ perMinute: 2_000, burst: 29_000 });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within 50–100 % of the step', () => {
    const policy = { ...DEFAULT_BACKOFF, baseMs: 1000, maxMs: 5000 };
    expect([0, 1, 2, 3].map((n) => backoffDelay(policy, n, () => 0))).to.deep.equal([500, 1000, 2000, 2500]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(policy, n, () => 0.999999))).to.deep.equal([1000, 2000, 4000, 5000]);
  });
});

describe('checkSendWindow', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

  it('is open within 48 hours and under 5 messages', () => {
    expect(checkSendWindow({ lastCustomerMessageAt: hoursAgo(47.9), sentSinceCustomerMessage: 4 }, FORTY_EIGHT_HOURS_FIVE_MESSAGES, now)).to.deep.equal({ open: true });
  });

  it('is expired past 48 hours or when the customer never wrote', () => {
    const rule = FORTY_EIGHT_HOURS_FIVE_MESSAGES;
    expect(checkSendWindow({ lastCustomerMessageAt: hoursAgo(48.01), sentSinceCustomerMessage: 0 }, rule, now)).to.deep.equal({ open: false, reason: 'expired' });
    expect(checkSendWindow({ lastCustomerMessageAt: null, sentSinceCustomerMessage: 0 }, rule, now)).to.deep.equal({ open: false, reason: 'expired' });
  });

  it('is exhausted after 5 messages', () => {
    expect(checkSendWindow({ lastCustomerMessageAt: hoursAgo(1), sentSinceCustomerMessage: 5 }, FORTY_EIGHT_HOURS_FIVE_MESSAGES, now)).to.deep.equal({ open: false, reason: 'exhausted' });
  });
});
