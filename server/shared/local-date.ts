/**
 * "Today" in a zone. Caps, task lists, rollups and reports all count by the store-local calendar day, so there
 * is one way to name it: `YYYY-MM-DD` of the wall clock in that IANA zone.
 */
import { IANAZone } from 'luxon';

export function isValidTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/** The local calendar day of an instant in an IANA zone, `YYYY-MM-DD`. */
export function localDate(at: Date, tz: string): string {
  if (!IANAZone.isValidZone(tz)) throw new RangeError(`unknown IANA time zone "${tz}"`);
  const w = new Date(at.getTime() + IANAZone.create(tz).offset(at.getTime()) * 60_000);
  return `${w.getUTCFullYear()}-${String(w.getUTCMonth() + 1).padStart(2, '0')}-${String(w.getUTCDate()).padStart(2, '0')}`;
}

/** A `YYYY-MM-DD` day moved by whole calendar days (negative goes back); zone-free, days are days. */
export function addLocalDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
