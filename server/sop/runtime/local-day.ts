import { localDateOf } from '../../shared/local-time.ts';

/** The store-local calendar day of an instant, `YYYY-MM-DD` (frequency caps and task lists count by it). */
export function localDay(at: Date, tz: string): string {
  const d = localDateOf(at, tz);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
