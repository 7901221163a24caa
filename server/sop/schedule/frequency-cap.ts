/**
 * Per-contact frequency caps across all SOPs, counted in the store's local calendar: at most `per_day`
 * touches a local day and `per_month` (default: the month's number of days) a local month. A touch
 * that would exceed a cap moves to the start of the next local day or month; quiet hours apply after.
 */
import type { FrequencyCap } from '../definition/common.schema.ts';
import { addDays, daysInMonth, localDateOf, resolveLocal } from '../../shared/local-time.ts';
import type { LocalDate } from '../../shared/local-time.ts';

const sameDay = (a: LocalDate, b: LocalDate) => a.year === b.year && a.month === b.month && a.day === b.day;
const sameMonth = (a: LocalDate, b: LocalDate) => a.year === b.year && a.month === b.month;

/** The earliest instant at or after `at` with room under both caps, given the contact's other touches. */
export function applyFrequencyCap(at: Date, tz: string, cap: FrequencyCap, touches: readonly Date[]): Date {
  const dates = touches.map((t) => localDateOf(t, tz));
  let current = at;
  for (;;) {
    const date = localDateOf(current, tz);
    const monthLimit = cap.per_month ?? daysInMonth(date.year, date.month);
    if (dates.filter((d) => sameMonth(d, date)).length >= monthLimit) {
      const firstOfNext = addDays({ ...date, day: daysInMonth(date.year, date.month) }, 1);
      current = resolveLocal(firstOfNext, 0, tz);
    } else if (dates.filter((d) => sameDay(d, date)).length >= cap.per_day) {
      current = resolveLocal(addDays(date, 1), 0, tz);
    } else {
      return current;
    }
  }
}
