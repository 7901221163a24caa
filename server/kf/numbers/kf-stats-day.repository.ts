/** The rolled-up days of the 微信客服 numbers (kf_stats_daily): replaced whole per corp and day, read by range. */
import type { KfModels } from '../kf.models.ts';
import { COUNT_KEYS, type KfStatsCounts } from '../session/kf-stats-counts.ts';

export type KfStatsDay = {
  day: string;
  timeZone: string;
  accounts: Map<string, KfStatsCounts>;
  agents: Map<string, KfStatsCounts>;
  truncated: boolean;
  computedAt: Date;
};

type CountsRow = KfStatsCounts & { key: string };
type DayRow = { day: string; timeZone: string; accounts: CountsRow[]; agents: CountsRow[]; truncated?: boolean; computedAt: Date };

const toRows = (groups: Map<string, KfStatsCounts>): CountsRow[] => [...groups].map(([key, c]) => ({ key, ...c }));
const toMap = (rows: CountsRow[]): Map<string, KfStatsCounts> =>
  new Map(rows.map((r) => [r.key, Object.fromEntries(COUNT_KEYS.map((k) => [k, r[k] ?? 0])) as KfStatsCounts]));

export class KfStatsDayRepository {
  constructor(private readonly models: Pick<KfModels, 'KfStatsDay'>) {}

  /** Replaces the corp's document of that day (a rerun writes the same day again, never a second one). */
  async replace(corpId: string, day: KfStatsDay): Promise<void> {
    await this.models.KfStatsDay.replaceOne(
      { corpId, day: day.day },
      { corpId, day: day.day, timeZone: day.timeZone, accounts: toRows(day.accounts), agents: toRows(day.agents), truncated: day.truncated, computedAt: day.computedAt },
      { upsert: true },
    );
  }

  /** The rolled-up days in [fromDay, toDay) computed in `timeZone`. */
  async between(corpId: string, fromDay: string, toDay: string, timeZone: string): Promise<KfStatsDay[]> {
    const rows = await this.models.KfStatsDay.find({ corpId, day: { $gte: fromDay, $lt: toDay }, timeZone }).sort({ day: 1 }).lean<DayRow[]>();
    return rows.map((r) => ({ day: r.day, timeZone: r.timeZone, accounts: toMap(r.accounts), agents: toMap(r.agents), truncated: r.truncated ?? false, computedAt: r.computedAt }));
  }
}
