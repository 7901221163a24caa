/**
 * Quiet hours: no touch is delivered inside the store's daily window `[start, end)` (local time). A touch
 * due inside it moves to `end` — the next allowed minute — and is never dropped.
 */
import { minuteOfDay } from '../definition/common.schema.ts';
import type { QuietHours } from '../definition/common.schema.ts';
import { addDays, localDateOf, localTimeOfDay, resolveLocal } from '../../shared/local-time.ts';

const MINUTE = 60_000;

/** True when local time at `at` falls in the window; a window with start > end crosses midnight. */
export function isQuiet(at: Date, tz: string, quiet: QuietHours): boolean {
  const now = localTimeOfDay(at, tz);
  const start = minuteOfDay(quiet.start) * MINUTE;
  const end = minuteOfDay(quiet.end) * MINUTE;
  return start > end ? now >= start || now < end : now >= start && now < end;
}

/** `at` itself when allowed (or when quiet hours are off), else the end of the window it falls in. */
export function applyQuietHours(at: Date, tz: string, quiet: QuietHours | false | null): Date {
  if (!quiet || !isQuiet(at, tz, quiet)) return at;
  const crossesMidnight = minuteOfDay(quiet.start) > minuteOfDay(quiet.end);
  const beforeMidnight = localTimeOfDay(at, tz) >= minuteOfDay(quiet.start) * MINUTE;
  const today = localDateOf(at, tz);
  const date = crossesMidnight && beforeMidnight ? addDays(today, 1) : today;
  return resolveLocal(date, minuteOfDay(quiet.end), tz, at);
}
