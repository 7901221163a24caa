/** Store-local time for campaigns: is a store inside its working hours now, and which local day is it. Pure. */
import { localDateOf, localTimeOfDay } from '../../sop/schedule/local-time.ts';

export type WorkingHours = { start: string; end: string };

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `start` inclusive, `end` exclusive, store-local wall time; a window does not cross midnight. */
export function withinWorkingHours(now: Date, timezone: string, hours: WorkingHours): boolean {
  const minute = Math.floor(localTimeOfDay(now, timezone) / 60_000);
  return minute >= minutesOf(hours.start) && minute < minutesOf(hours.end);
}

/** YYYY-MM-DD in the store's zone: the day a daily quota counts against. */
export function localDay(now: Date, timezone: string): string {
  const d = localDateOf(now, timezone);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
