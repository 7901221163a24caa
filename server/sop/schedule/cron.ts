/**
 * A strict 5-field cron (`minute hour day-of-month month day-of-week`) evaluated in a store's zone.
 * Fields take `*`, numbers, `a-b`, lists and `/step`; months and weekdays also take English
 * three-letter names; weekday 0 and 7 are Sunday. As in Vixie cron, when both day fields are
 * restricted a day matching either runs. DST follows local-time.ts: a time lost to spring forward runs
 * at the first valid minute, a time repeated by fall back runs once, at the earlier instant.
 */
import { addDays, daysInMonth, localDateOf, resolveLocal, weekday } from '../../shared/local-time.ts';

export type CronSpec = {
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Vixie rule: true when both day fields are restricted (neither starts with `*`). */
  eitherDay: boolean;
};

type FieldDef = { name: string; min: number; max: number; names?: string[] };
const FIELDS: FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function value(text: string, def: FieldDef): number | undefined {
  const named = def.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + def.min;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= def.min && n <= def.max ? n : undefined;
}

function parseField(text: string, def: FieldDef): Set<number> | string {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|([^-/]+)(?:-([^-/]+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `${def.name} "${part}" is not a number, range, list or step`;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    const from = m[1] === '*' ? def.min : value(m[2] ?? '', def);
    const to = m[1] === '*' ? def.max : m[3] !== undefined ? value(m[3], def) : m[4] !== undefined ? def.max : from;
    if (from === undefined || to === undefined) return `${def.name} "${part}" is outside ${def.min}–${def.max}`;
    if (from > to) return `${def.name} range "${part}" runs backwards`;
    if (step < 1) return `${def.name} step in "${part}" must be at least 1`;
    for (let v = from; v <= to; v += step) out.add(def.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return out;
}

/** The parsed expression, or the reason it is rejected (including "never fires", e.g. `0 0 30 2 *`). */
export function parseCron(expr: string): CronSpec | string {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `cron needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  const sets: Set<number>[] = [];
  for (const [i, def] of FIELDS.entries()) {
    const parsed = parseField(fields[i] ?? '', def);
    if (typeof parsed === 'string') return parsed;
    sets.push(parsed);
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const eitherDay = !fields[2]?.startsWith('*') && !fields[4]?.startsWith('*');
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  if (!eitherDay && ![...months].some((m) => [...daysOfMonth].some((d) => d <= daysInMonth(2024, m)))) {
    return 'never fires: no chosen day-of-month occurs in the chosen months';
  }
  return { minutes: sorted(minutes), hours: sorted(hours), daysOfMonth, months, daysOfWeek, eitherDay };
}

export function cronProblem(expr: string): string | undefined {
  const parsed = parseCron(expr);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** Covers the longest gap between runs of a valid expression (Feb 29 skips 2100: eight years). */
const SEARCH_DAYS = 366 * 9;

/** The first run strictly after `after`, in `tz`; null only if none falls within nine years. */
export function nextCronRun(expr: string | CronSpec, tz: string, after: Date): Date | null {
  const spec = typeof expr === 'string' ? parseCron(expr) : expr;
  if (typeof spec === 'string') throw new RangeError(`cron "${String(expr)}": ${spec}`);
  const start = localDateOf(after, tz);
  for (let k = 0; k <= SEARCH_DAYS; k += 1) {
    const date = addDays(start, k);
    if (!spec.months.has(date.month)) continue;
    const dom = spec.daysOfMonth.has(date.day);
    const dow = spec.daysOfWeek.has(weekday(date));
    if (!(spec.eitherDay ? dom || dow : dom && dow)) continue;
    for (const hour of spec.hours) {
      for (const minute of spec.minutes) {
        const at = resolveLocal(date, hour * 60 + minute, tz);
        if (at.getTime() > after.getTime()) return at;
      }
    }
  }
  return null;
}
