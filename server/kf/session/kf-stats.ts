/**
 * The service numbers per day, kf account or servicer, from the sessions that started in a period: how many,
 * how many the bot settled alone, how often suggestions were clicked, handovers, first response times (bot:
 * from the start; human: from the handover), resolution time and satisfaction.
 */
import { localDate } from '../../shared/local-date.ts';
import type { KfSessionDto } from './kf-session.repository.ts';

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
  rated: number;
  /** Mean rating: 3 很满意, 2 满意, 1 不满意. */
  satisfaction: number | null;
  /** Share rated 很满意 or 满意. */
  satisfiedRate: number | null;
};

type Session = Pick<KfSessionDto, 'openKfId' | 'servicerUserId' | 'startedAt' | 'firstBotResponseAt' | 'handedOverAt' | 'firstHumanResponseAt' | 'endedAt' | 'rating' | 'suggestions' | 'suggestionClicks' | 'botAnswers'>;

const ratio = (n: number, d: number): number | null => (d ? n / d : null);
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const seconds = (to: Date | null, from: Date | null): number[] => (to && from ? [(to.getTime() - from.getTime()) / 1000] : []);

export function kfStats(sessions: readonly Session[], by: KfStatsGroup, timeZone: string): KfStatsRow[] {
  const groups = new Map<string, Session[]>();
  for (const s of sessions) {
    // Sessions the bot settled have no servicer: they count under 智能助手.
    const key = by === 'day' ? localDate(s.startedAt, timeZone) : by === 'account' ? s.openKfId : (s.servicerUserId ?? '智能助手');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => {
      const handedOver = list.filter((s) => s.handedOverAt);
      const rated = list.flatMap((s) => (s.rating ? [s.rating] : []));
      const offered = list.reduce((n, s) => n + s.suggestions, 0);
      return {
        key,
        sessions: list.length,
        botHitRate: ratio(list.filter((s) => s.botAnswers > 0 && !s.handedOverAt).length, list.length),
        suggestionClickRate: ratio(list.reduce((n, s) => n + s.suggestionClicks, 0), offered),
        handoverRate: ratio(handedOver.length, list.length),
        firstBotResponseSeconds: mean(list.flatMap((s) => seconds(s.firstBotResponseAt, s.startedAt))),
        firstHumanResponseSeconds: mean(handedOver.flatMap((s) => seconds(s.firstHumanResponseAt, s.handedOverAt))),
        resolutionSeconds: mean(list.flatMap((s) => seconds(s.endedAt, s.startedAt))),
        rated: rated.length,
        satisfaction: mean(rated),
        satisfiedRate: ratio(rated.filter((r) => r >= 2).length, rated.length),
      };
    });
}
