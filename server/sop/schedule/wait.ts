/**
 * When a wait step ends. Durations count from the previous step; `day N at HH:MM` counts local calendar
 * days from the entry day (day 0) in the store's zone, whatever happened in between.
 */
import { minuteOfDay, parseDuration } from '../definition/common.schema.ts';
import type { DurationParts } from '../definition/common.schema.ts';
import type { WaitStep } from '../definition/sop.schema.ts';
import { addDays, instantOfWallTime, localDateOf, localTimeOfDay, resolveLocal } from '../../shared/local-time.ts';

export type WaitRule = { duration: string } | { day: number; at: string };

const MINUTE = 60_000;

export function waitRule(step: WaitStep): WaitRule {
  if (step.duration !== undefined) return { duration: step.duration };
  return { day: step.day ?? 0, at: step.at ?? '00:00' };
}

/**
 * `from` plus a duration: weeks and days move the local calendar date and keep the local wall time (a
 * wall time lost to DST moves forward to the first valid minute); hours and minutes are elapsed time.
 */
export function addDuration(duration: DurationParts | string, tz: string, from: Date): Date {
  const parts = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (typeof parts === 'string') throw new RangeError(`duration "${String(duration)}": ${parts}`);
  const days = parts.weeks * 7 + parts.days;
  let at = from;
  if (days > 0) {
    const date = addDays(localDateOf(from, tz), days);
    const wall = Date.UTC(date.year, date.month - 1, date.day) + localTimeOfDay(from, tz);
    at = instantOfWallTime(wall, tz, from);
  }
  return new Date(at.getTime() + (parts.hours * 60 + parts.minutes) * MINUTE);
}

/** Local `at` (HH:MM) on the `day`-th local calendar day after the entry day (day 0 = the entry day). */
export function dayAt(day: number, at: string, tz: string, enteredAt: Date): Date {
  return resolveLocal(addDays(localDateOf(enteredAt, tz), day), minuteOfDay(at), tz);
}

/**
 * When a wait that starts at `from` ends, for a contact who entered at `enteredAt`. A `day N at HH:MM`
 * moment already past (e.g. day 0 at 10:00 for an entry at 23:50) ends the wait at once, at `from`.
 */
export function waitEnd(rule: WaitRule, tz: string, from: Date, enteredAt: Date = from): Date {
  if ('duration' in rule) return addDuration(rule.duration, tz, from);
  const target = dayAt(rule.day, rule.at, tz, enteredAt);
  return target.getTime() < from.getTime() ? from : target;
}

