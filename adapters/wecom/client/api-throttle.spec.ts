import { expect } from 'chai';
import { FakeClock } from '../simulator/fake-clock.ts';
import { ApiThrottle } from './api-throttle.ts';
import { checkSendWindow, FORTY_EIGHT_HOURS_FIVE_MESSAGES } from './send-window.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './wecom-http.ts';

describe('ApiThrottle', () => {
  it('lets a burst through, then spaces calls at the refill rate', async () => {
    const clock = new FakeClock();
    const throttle = new ApiThrottle({ clock, sleep: clock.sleep, defaultRule: { perMinute: 60, burst: 3 } });
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await throttle.take('externalcontact/get'));
    expect(waits).to.deep.equal([0, 0, 0, 1000, 1000]);
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
