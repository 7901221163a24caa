/** Store-local time for campaigns: is a store inside its working hours now. Pure. */
import { localTimeOfDay } from '../../shared/local-time.ts';

export type WorkingHours = { start: string; end: string };

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `start` inclusive, `end` exclusive, store-local wall time; a window does not cross midnight. */
export function withinWorkingHours(now: Date, timezone: string, hours: WorkingHours): boolean {
  const minute = Math.floor(localTimeOfDay(now, timezone) / 60_000);
  return minute >= minutesOf(hours.start) && minute < minutesOf(hours.end);
}
