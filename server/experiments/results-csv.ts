/**
 * The CSV export of an experiment's results: one row per metric × arm with every statistic (the control
 * row leaves the comparison columns empty). Numbers at full precision; RFC 4180 quoting; text cells that a
 * spreadsheet would run as a formula are prefixed with an apostrophe.
 */
import type { ExperimentResults } from './results.ts';

export const CSV_COLUMNS = [
  'experiment_id', 'metric', 'role', 'primary', 'arm', 'is_control', 'weight', 'users', 'conversions', 'rate',
  'abs_lift', 'ci95_abs_low', 'ci95_abs_high', 'rel_lift', 'ci95_rel_low', 'ci95_rel_high',
  'z_pooled', 'p_pooled', 'p_unpooled', 'p_welch_rel', 'p_sequential', 'prob_beat_control', 'prob_best',
  'p_holm', 'p_bh', 'p_holm_family', 'p_bh_family', 'srm_chi2', 'srm_p', 'srm_flagged', 'verdict', 'label',
] as const;

type Cell = string | number | boolean | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function resultsCsv(results: ExperimentResults): string {
  const rows: Cell[][] = [[...CSV_COLUMNS]];
  for (const m of results.metrics) {
    m.arms.forEach((arm, i) => {
      const c = i === 0 ? undefined : m.comparisons.find((x) => x.arm === arm.name);
      rows.push([
        results.experiment_id, m.metric, m.role, m.primary, arm.name, i === 0, arm.weight, arm.users, arm.conversions, arm.rate,
        c?.abs_lift, c?.ci95_abs[0], c?.ci95_abs[1], c?.rel_lift, c?.ci95_rel?.[0], c?.ci95_rel?.[1],
        c?.z_pooled, c?.p_pooled, c?.p_unpooled, c?.p_welch_rel, c?.p_sequential, c?.prob_beat_control, m.prob_best[i],
        c?.p_holm, c?.p_bh, c?.p_holm_family, c?.p_bh_family, m.srm.chi2, m.srm.p, m.srm.flagged, m.verdict, m.label,
      ]);
    });
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
