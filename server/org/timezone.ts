/**
 * The one time-zone fallback: a store's own zone, else its corp's, else Asia/Shanghai (where the product's
 * customers are). Every schedule, cap and "today" is computed in the zone this returns.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../shared/local-date.ts';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

type Zoned = { timezone?: string | null } | null | undefined;

export function zoneOf(store?: Zoned, corp?: Zoned): string {
  return store?.timezone || corp?.timezone || DEFAULT_TIMEZONE;
}

/** An IANA zone in a request or file: a clear message instead of a RangeError deep in schedule math. */
export const timezoneSchema = z.string().refine(isValidTimeZone, '须为 IANA 时区，例如 Asia/Shanghai must be an IANA time zone such as Asia/Shanghai');
