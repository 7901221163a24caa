/**
 * Local calendar arithmetic in an IANA zone, on plain instants. The rules for wall times around DST:
 * a local time that does not exist (spring forward) resolves to the first instant after the gap, i.e.
 * the first valid minute; a local time that exists twice (fall back) resolves to the earlier instant.
 */
import { IANAZone } from 'luxon';

export type LocalDate = { year: number; month: number; day: number };

const MINUTE = 60_000;
const DAY = 86_400_000;

export function isValidTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

function zone(tz: string): IANAZone {
  if (!IANAZone.isValidZone(tz)) throw new RangeError(`unknown IANA time zone "${tz}"`);
  return IANAZone.create(tz);
}

/** UTC offset in minutes at an instant. */
const offsetAt = (z: IANAZone, ms: number) => z.offset(ms);

/** The local wall clock at `at`, as milliseconds of a naive UTC timeline (so Date.UTC fields read it). */
export function wallTime(at: Date, tz: string): number {
  return at.getTime() + offsetAt(zone(tz), at.getTime()) * MINUTE;
}

export function localDateOf(at: Date, tz: string): LocalDate {
  const w = new Date(wallTime(at, tz));
  return { year: w.getUTCFullYear(), month: w.getUTCMonth() + 1, day: w.getUTCDate() };
}

/** Milliseconds since local midnight. */
export function localTimeOfDay(at: Date, tz: string): number {
  return ((wallTime(at, tz) % DAY) + DAY) % DAY;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whole local calendar days from `from` to `to` (both local dates). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / DAY);
}

/**
 * The instant showing wall time `wall` (naive UTC milliseconds) in `tz`. Of two instants (fall back) the
 * earlier is taken, or the earlier one not before `notBefore` when given; in a gap (spring forward),
 * the first instant after the gap.
 */
export function instantOfWallTime(wall: number, tz: string, notBefore?: Date): Date {
  const z = zone(tz);
  const offsets = [...new Set([wall - DAY, wall, wall + DAY].map((ms) => offsetAt(z, ms)))];
  const valid = offsets
    .map((o) => wall - o * MINUTE)
    .filter((t) => offsetAt(z, t) * MINUTE === wall - t)
    .sort((a, b) => a - b);
  const pick = valid.find((t) => notBefore === undefined || t >= notBefore.getTime()) ?? valid[0];
  if (pick !== undefined) return new Date(pick);
  // In a gap: the transition lies between the two readings; find its first millisecond.
  let lo = wall - Math.max(...offsets) * MINUTE;
  let hi = wall - Math.min(...offsets) * MINUTE;
  const after = offsetAt(z, hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(z, mid) === after) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** The instant of local `date` at `minuteOfDay` (0–1439) in `tz`, by the DST rules above. */
export function resolveLocal(date: LocalDate, minuteOfDay: number, tz: string, notBefore?: Date): Date {
  return instantOfWallTime(Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE, tz, notBefore);
}
