/**
 * Live-code analytics: adds, re-adds, losses and net growth per code, channel, day, store and staff member.
 * An add is lost when its relation (customer × staff member) is deleted — by the customer (del_follow_user) or by
 * the staff member (del_external_contact, not 在职继承 transfers) — before the same pair was added again.
 * `lost1` / `lost7` / `lost30`: lost within 1 / 7 / 30 days of the add; `lostTotal`: lost by now.
 * `net` = adds + reAdds − lostTotal (relations gained through the code that still exist).
 */
import { DateTime } from 'luxon';
import { localDate } from '../shared/local-date.ts';
import type { AddRow } from './live-code-ledger.repository.ts';

export type Counts = { adds: number; reAdds: number; lost1: number; lost7: number; lost30: number; lostTotal: number; net: number };
export type Bucket = Counts & { key: string; label: string };
export type Analytics = {
  from: Date;
  to: Date;
  timezone: string;
  totals: Counts;
  byCode: Bucket[];
  byChannel: Bucket[];
  byDay: Bucket[];
  byStore: Bucket[];
  byStaff: Bucket[];
};

export type Deletion = { externalUserId: string; staffUserId: string; at: Date };
export type AnalyticsLabels = { code: (id: string) => string; store: (id: string) => string; staff: (userId: string) => string };

const DAY = 86_400_000;

const zero = (): Counts => ({ adds: 0, reAdds: 0, lost1: 0, lost7: 0, lost30: 0, lostTotal: 0, net: 0 });

/**
 * Pure: the numbers for `adds` (rows in the period) given every add of the same pairs up to now (`laterAdds`,
 * to end a relation's life at the next add) and the deletions. `now` bounds "lost by now".
 */
export function computeAnalytics(input: { adds: AddRow[]; laterAdds: AddRow[]; deletions: Deletion[]; from: Date; to: Date; now: Date; timezone: string; labels: AnalyticsLabels }): Analytics {
  const pair = (e: string, s: string) => `${e}\u0000${s}`;
  const deletions = new Map<string, Date[]>();
  for (const d of input.deletions) deletions.set(pair(d.externalUserId, d.staffUserId), [...(deletions.get(pair(d.externalUserId, d.staffUserId)) ?? []), d.at]);
  const addsOfPair = new Map<string, Date[]>();
  for (const a of [...input.adds, ...input.laterAdds]) addsOfPair.set(pair(a.externalUserId, a.staffUserId), [...(addsOfPair.get(pair(a.externalUserId, a.staffUserId)) ?? []), a.addedAt]);

  const groups = { code: new Map<string, Counts>(), channel: new Map<string, Counts>(), day: new Map<string, Counts>(), store: new Map<string, Counts>(), staff: new Map<string, Counts>() };
  const totals = zero();
  for (const add of input.adds) {
    const key = pair(add.externalUserId, add.staffUserId);
    const t = add.addedAt.getTime();
    const nextAdd = (addsOfPair.get(key) ?? []).map((d) => d.getTime()).filter((x) => x > t).sort((a, b) => a - b)[0] ?? Infinity;
    const lostAt = (deletions.get(key) ?? []).map((d) => d.getTime()).filter((x) => x >= t && x < nextAdd && x <= input.now.getTime()).sort((a, b) => a - b)[0];
    const day = localDate(add.addedAt, input.timezone);
    const targets = [
      totals,
      bucket(groups.code, add.liveCodeId),
      bucket(groups.channel, add.channel),
      bucket(groups.day, day),
      bucket(groups.store, add.storeId ?? ''),
      bucket(groups.staff, add.staffUserId),
    ];
    for (const c of targets) {
      if (add.reAdd) c.reAdds += 1;
      else c.adds += 1;
      if (lostAt !== undefined) {
        const after = lostAt - t;
        c.lostTotal += 1;
        if (after <= DAY) c.lost1 += 1;
        if (after <= 7 * DAY) c.lost7 += 1;
        if (after <= 30 * DAY) c.lost30 += 1;
      }
    }
  }
  const finish = (c: Counts): Counts => ({ ...c, net: c.adds + c.reAdds - c.lostTotal });
  const list = (m: Map<string, Counts>, label: (k: string) => string, sort: 'key' | 'adds' = 'adds'): Bucket[] =>
    [...m.entries()]
      .map(([key, c]) => ({ key, label: label(key), ...finish(c) }))
      .sort((a, b) => (sort === 'key' ? a.key.localeCompare(b.key) : b.adds + b.reAdds - (a.adds + a.reAdds) || a.key.localeCompare(b.key)));
  return {
    from: input.from,
    to: input.to,
    timezone: input.timezone,
    totals: finish(totals),
    byCode: list(groups.code, input.labels.code),
    byChannel: list(groups.channel, (k) => k),
    byDay: list(fillDays(groups.day, input.from, input.to, input.timezone), (k) => k, 'key'),
    byStore: list(groups.store, (k) => (k ? input.labels.store(k) : '—')),
    byStaff: list(groups.staff, input.labels.staff),
  };
}

function bucket(m: Map<string, Counts>, key: string): Counts {
  let c = m.get(key);
  if (!c) m.set(key, (c = zero()));
  return c;
}

/** Every local day of the period appears, zero or not, so the chart has no gaps (at most 366 days). */
function fillDays(days: Map<string, Counts>, from: Date, to: Date, timezone: string): Map<string, Counts> {
  let d = DateTime.fromJSDate(from, { zone: timezone }).startOf('day');
  const end = DateTime.fromJSDate(to, { zone: timezone });
  for (let i = 0; i < 366 && d < end; i++, d = d.plus({ days: 1 })) bucket(days, d.toISODate()!);
  return days;
}

export const CSV_COLUMNS = ['dimension', 'key', 'label', 'adds', 're_adds', 'lost_1d', 'lost_7d', 'lost_30d', 'lost_total', 'net'] as const;

function cell(value: string | number): string {
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One row per dimension value (total, code, channel, day, store, staff); RFC 4180, formula-safe. */
export function analyticsCsv(a: Analytics): string {
  const rows: (string | number)[][] = [[...CSV_COLUMNS]];
  const push = (dimension: string, b: Bucket) => rows.push([dimension, b.key, b.label, b.adds, b.reAdds, b.lost1, b.lost7, b.lost30, b.lostTotal, b.net]);
  push('total', { key: 'all', label: '全部 All', ...a.totals });
  for (const b of a.byCode) push('code', b);
  for (const b of a.byChannel) push('channel', b);
  for (const b of a.byDay) push('day', b);
  for (const b of a.byStore) push('store', b);
  for (const b of a.byStaff) push('staff', b);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
