import { expect } from 'chai';
import { judgeFirstContact, sessionCategories, UNCATEGORISED, type FcrSession } from './kf-fcr.ts';

describe('kf first-contact resolution (首次联系解决率)', () => {
  const t0 = new Date('2026-12-01T02:00:00Z');
  const h = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
  const s = (id: string, user: string, start: number, end: number | null, categories: string[]): FcrSession => ({ id, externalUserId: user, startedAt: h(start), endedAt: end === null ? null : h(end), categories });

  it('a session is resolved when the customer starts no new session on the same category within 48 h of its end', () => {
    const sessions = [
      s('a', 'u1', 0, 1, ['物流']),
      // Same customer, same category, 47 h after the end: a repeat contact, so a was not resolved.
      s('b', 'u1', 48, 49, ['物流']),
      // Same customer, another category: does not count against b.
      s('c', 'u1', 60, 61, ['发票']),
      // Another customer asking about 物流 right after: does not count against a.
      s('d', 'u2', 2, 3, ['物流']),
    ];
    const v = judgeFirstContact(sessions, h(200));
    expect(Object.fromEntries(v)).to.deep.equal({ a: false, b: true, c: true, d: true });
  });

  it('counts a new session exactly 48 h after the end as a repeat, one after 48 h as a new question', () => {
    const v = judgeFirstContact([s('a', 'u1', 0, 1, ['物流']), s('b', 'u1', 49, 50, ['物流']), s('c', 'u1', 100, 101, ['物流'])], h(500));
    expect([v.get('a'), v.get('b'), v.get('c')]).to.deep.equal([false, true, true]);
  });

  it('does not judge a session not ended, or ended less than 48 h before now (the clock is an input)', () => {
    const sessions = [s('open', 'u1', 0, null, ['物流']), s('recent', 'u2', 0, 10, ['物流']), s('old', 'u3', 0, 1, ['物流'])];
    expect(Object.fromEntries(judgeFirstContact(sessions, h(49)))).to.deep.equal({ open: null, recent: null, old: true });
    expect(judgeFirstContact(sessions, h(58)).get('recent'), 'judged once 48 h have passed').to.equal(true);
  });

  it('a session running in parallel (started before the end) is not a follow-up; a shared category among several counts', () => {
    const v = judgeFirstContact([s('a', 'u1', 0, 5, ['物流', '发票']), s('b', 'u1', 1, 2, ['物流']), s('c', 'u1', 20, 21, ['发票'])], h(500));
    expect(v.get('a'), 'c asks about 发票 again').to.equal(false);
    expect(v.get('b'), 'a started before b ended; c is about 发票').to.equal(true);
  });

  it('a session is about the picked category, else the categories of the bot’s answers, else 未分类', () => {
    expect(sessionCategories('售后', ['物流'])).to.deep.equal(['售后']);
    expect(sessionCategories(null, ['物流', '', '物流', '发票'])).to.deep.equal(['物流', '发票']);
    expect(sessionCategories('  ', [''])).to.deep.equal([UNCATEGORISED]);
    // Two unclassified sessions of one customer are the same (unknown) question.
    const v = judgeFirstContact([s('a', 'u1', 0, 1, sessionCategories(null, [])), s('b', 'u1', 5, 6, sessionCategories(null, []))], h(500));
    expect(v.get('a')).to.equal(false);
  });
});
