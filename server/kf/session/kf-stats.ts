/**
 * The service numbers per day, kf account or servicer, from the sessions that started in a period: how many,
 * how many the bot settled alone, how often suggestions were clicked, handovers, first response times (bot:
 * from the start; human: from the handover), resolution time, first-contact resolution and satisfaction.
 * Groups are first summed as counts (numerators, denominators, sums of seconds) so that rolled-up days and live
 * days add up exactly; the rates are derived from the sums last.
 */
import { localDate } from '../../shared/local-date.ts';
import type { KfSessionDto } from './kf-session.repository.ts';
import { COUNT_KEYS, type KfStatsCounts } from './kf-stats-counts.ts';

export type KfStatsGroup = 'day' | 'account' | 'agent';
export type KfStatsRow = {
  key: string;
  sessions: number;
  /** Answered by the bot without a handover, of all sessions. */
  botHitRate: number | null;
  /** Clicked suggestion menus, of those offered. */
  suggestionClickRate: number | null;
  handoverRate: number | null;
  firstBotResponseSeconds: number | null;
  firstHumanResponseSeconds: number | null;
  resolutionSeconds: number | null;
  /** Resolved at first contact, of the ended sessions old enough to judge (null: none yet). */
  fcrRate: number | null;
  fcrJudged: number;
  rated: number;
  /** Mean rating: 3 很满意, 2 满意, 1 不满意. */
  satisfaction: number | null;
  /** Share rated 很满意 or 满意. */
  satisfiedRate: number | null;
};

export type KfStatsSession = Pick<KfSessionDto, 'openKfId' | 'servicerUserId' | 'startedAt' | 'firstBotResponseAt' | 'handedOverAt' | 'firstHumanResponseAt' | 'endedAt' | 'rating' | 'suggestions' | 'suggestionClicks' | 'botAnswers'> & {
  /** First-contact verdict (kf-fcr.ts): absent or null when not judged. */
  fcr?: boolean | null;
};

/** Sessions the bot settled have no servicer: they count under 智能助手. */
export const BOT_AGENT = '智能助手';


export const zeroCounts = (): KfStatsCounts => Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as KfStatsCounts;

export function addCounts(a: KfStatsCounts, b: KfStatsCounts): KfStatsCounts {
  return Object.fromEntries(COUNT_KEYS.map((k) => [k, a[k] + b[k]])) as KfStatsCounts;
}

const seconds = (to: Date | null, from: Date | null): number | null => (to && from ? (to.getTime() - from.getTime()) / 1000 : null);

export function countsOf(sessions: readonly KfStatsSession[]): KfStatsCounts {
  const c = zeroCounts();
  for (const s of sessions) {
    c.sessions++;
    if (s.botAnswers > 0 && !s.handedOverAt) c.botHits++;
    c.suggestions += s.suggestions;
    c.suggestionClicks += s.suggestionClicks;
    if (s.handedOverAt) c.handovers++;
    const bot = seconds(s.firstBotResponseAt, s.startedAt);
    if (bot !== null) {
      c.botResponses++;
      c.botResponseSeconds += bot;
    }
    const human = s.handedOverAt ? seconds(s.firstHumanResponseAt, s.handedOverAt) : null;
    if (human !== null) {
      c.humanResponses++;
      c.humanResponseSeconds += human;
    }
    const resolution = seconds(s.endedAt, s.startedAt);
    if (resolution !== null) {
      c.ended++;
      c.resolutionSeconds += resolution;
    }
    if (typeof s.fcr === 'boolean') {
      c.fcrJudged++;
      if (s.fcr) c.fcrResolved++;
    }
    if (s.rating) {
      c.rated++;
      c.ratingSum += s.rating;
      if (s.rating >= 2) c.satisfied++;
    }
  }
  return c;
}

const ratio = (n: number, d: number): number | null => (d ? n / d : null);

export function rowOf(key: string, c: KfStatsCounts): KfStatsRow {
  return {
    key,
    sessions: c.sessions,
    botHitRate: ratio(c.botHits, c.sessions),
    suggestionClickRate: ratio(c.suggestionClicks, c.suggestions),
    handoverRate: ratio(c.handovers, c.sessions),
    firstBotResponseSeconds: ratio(c.botResponseSeconds, c.botResponses),
    firstHumanResponseSeconds: ratio(c.humanResponseSeconds, c.humanResponses),
    resolutionSeconds: ratio(c.resolutionSeconds, c.ended),
    fcrRate: ratio(c.fcrResolved, c.fcrJudged),
    fcrJudged: c.fcrJudged,
    rated: c.rated,
    satisfaction: ratio(c.ratingSum, c.rated),
    satisfiedRate: ratio(c.satisfied, c.rated),
  };
}

/** The group a session counts in: its local start day, its kf account, or its servicer. */
export function groupKey(s: KfStatsSession, by: KfStatsGroup, timeZone: string): string {
  return by === 'day' ? localDate(s.startedAt, timeZone) : by === 'account' ? s.openKfId : (s.servicerUserId ?? BOT_AGENT);
}

/** Counts per group key. */
export function groupCounts(sessions: readonly KfStatsSession[], by: KfStatsGroup, timeZone: string): Map<string, KfStatsCounts> {
  const groups = new Map<string, KfStatsSession[]>();
  for (const s of sessions) {
    const key = groupKey(s, by, timeZone);
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  return new Map([...groups].map(([key, list]) => [key, countsOf(list)]));
}

/** Rows sorted by key. */
export function rowsOf(groups: Map<string, KfStatsCounts>): KfStatsRow[] {
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, c]) => rowOf(key, c));
}

export function kfStats(sessions: readonly KfStatsSession[], by: KfStatsGroup, timeZone: string): KfStatsRow[] {
  return rowsOf(groupCounts(sessions, by, timeZone));
}
