import { expect } from 'chai';
import { addCounts, countsOf, kfStats, rowOf } from './kf-stats.ts';

describe('kf service numbers', () => {
  const start = new Date('2026-12-06T15:30:00Z'); // 23:30 in Shanghai: the day is the 6th there, the 6th in UTC too
  const late = new Date('2026-12-06T16:30:00Z'); // 00:30 on the 7th in Shanghai
  const plus = (at: Date, s: number) => new Date(at.getTime() + s * 1000);
  const base = { openKfId: 'wkA', servicerUserId: null, firstBotResponseAt: null, handedOverAt: null, firstHumanResponseAt: null, endedAt: null, rating: null, suggestions: 0, suggestionClicks: 0, botAnswers: 0 };
  const sessions = [
    // The bot answered: a hit.
    { ...base, startedAt: start, firstBotResponseAt: plus(start, 2), botAnswers: 1 },
    // A suggestion clicked and answered.
    { ...base, startedAt: start, firstBotResponseAt: plus(start, 4), suggestions: 1, suggestionClicks: 1, botAnswers: 1 },
    // Handed over, a human answered 60 s later, ended after 10 min, rated 很满意.
    { ...base, startedAt: late, openKfId: 'wkB', servicerUserId: 'a2', handedOverAt: plus(late, 5), firstHumanResponseAt: plus(late, 65), endedAt: plus(late, 600), rating: 3, suggestions: 1, fcr: true },
    // Answered, then handed over anyway (not a hit), rated 不满意; the customer came back on the same question.
    { ...base, startedAt: late, servicerUserId: 'a2', firstBotResponseAt: plus(late, 6), botAnswers: 1, handedOverAt: plus(late, 30), firstHumanResponseAt: plus(late, 150), rating: 1, fcr: false },
  ];

  it('counts per day in the corp’s zone: hits, suggestion clicks, handovers, response and resolution times, satisfaction', () => {
    const rows = kfStats(sessions, 'day', 'Asia/Shanghai');
    expect(rows.map((r) => r.key)).to.deep.equal(['2026-12-06', '2026-12-07']);
    expect(rows[0]).to.include({ sessions: 2, botHitRate: 1, suggestionClickRate: 1, handoverRate: 0, firstBotResponseSeconds: 3, rated: 0, satisfaction: null, fcrRate: null, fcrJudged: 0 });
    expect(rows[1]).to.include({ sessions: 2, botHitRate: 0, suggestionClickRate: 0, handoverRate: 1, firstBotResponseSeconds: 6, firstHumanResponseSeconds: 90, resolutionSeconds: 600, rated: 2, satisfaction: 2, satisfiedRate: 0.5, fcrRate: 0.5, fcrJudged: 2 });
    expect(kfStats(sessions, 'day', 'UTC').map((r) => r.key)).to.deep.equal(['2026-12-06']);
  });

  it('sums counts, not rates: two halves of the sessions add up to the numbers of the whole', () => {
    const whole = rowOf('all', countsOf(sessions));
    const halves = rowOf('all', addCounts(countsOf(sessions.slice(0, 1)), countsOf(sessions.slice(1))));
    expect(halves).to.deep.equal(whole);
    expect(whole).to.include({ sessions: 4, botHitRate: 0.5, suggestionClickRate: 1 / 2, firstBotResponseSeconds: 4, fcrRate: 0.5 });
  });

  it('groups per kf account and per servicer (the bot’s own sessions under 智能助手)', () => {
    expect(kfStats(sessions, 'account', 'UTC').map((r) => [r.key, r.sessions])).to.deep.equal([['wkA', 3], ['wkB', 1]]);
    expect(kfStats(sessions, 'agent', 'UTC').map((r) => [r.key, r.sessions, r.satisfaction])).to.deep.equal([['a2', 2, 2], ['智能助手', 2, null]]);
  });
});
