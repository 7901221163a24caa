/**
 * The nightly rollup of the 微信客服 numbers: one document per corp and local day, holding that day's counts per
 * kf account and per servicer (kf-stats.ts `KfStatsCounts`, additive, so days and groups sum exactly). The job
 * recomputes a day whole and replaces its document, so a rerun never doubles anything.
 */
import { Schema } from 'mongoose';
import { COUNT_KEYS } from '../session/kf-stats-counts.ts';

const countsSchema = new Schema(
  { key: { type: String, required: true }, ...Object.fromEntries(COUNT_KEYS.map((k) => [k, { type: Number, required: true }])) },
  { _id: false, strict: 'throw' },
);

export const kfStatsDaySchema = new Schema(
  {
    corpId: { type: String, required: true },
    /** `YYYY-MM-DD` in `timeZone`, the corp's zone when it was computed. */
    day: { type: String, required: true },
    timeZone: { type: String, required: true },
    accounts: { type: [countsSchema], default: [] },
    agents: { type: [countsSchema], default: [] },
    /** The day had more sessions than one computation reads: its counts are partial. */
    truncated: { type: Boolean, default: false },
    computedAt: { type: Date, required: true },
  },
  { collection: 'kf_stats_daily', strict: 'throw', minimize: false },
);
// One document per corp and day; GET /api/kf/stats reads a corp's day range.
kfStatsDaySchema.index({ corpId: 1, day: 1 }, { unique: true });
