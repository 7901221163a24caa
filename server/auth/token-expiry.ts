/**
 * How long API tokens live: one default per role, a bound on what a caller may ask for at issue, and the
 * expiry of tokens stored before tokens had one. The bootstrap admin token (SIYU_ADMIN_TOKEN) is config, not a
 * row, and never expires.
 */
import type { Role } from '../shared/principal.ts';

const DAY_MS = 24 * 60 * 60_000;

/**
 * Store roles sign in again from WeCom (OAuth or a link) in seconds, so a month bounds a lost phone; HQ and
 * marketing tokens often drive integrations, which a quarter spares a monthly rotation.
 */
export const TOKEN_TTL_DAYS: Readonly<Record<Role, number>> = { hq_admin: 90, marketer: 90, store_manager: 30, staff: 30 };

/** The longest lifetime a caller may ask for at issue. */
export const MAX_TOKEN_TTL_DAYS = 365;

/** How often authentication records `lastUsedAt` for one token at most. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function defaultExpiry(role: Role, from: Date): Date {
  return new Date(from.getTime() + TOKEN_TTL_DAYS[role] * DAY_MS);
}

export function latestExpiry(from: Date): Date {
  return new Date(from.getTime() + MAX_TOKEN_TTL_DAYS * DAY_MS);
}

export function daysFrom(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS);
}

/**
 * When a stored token expires. Rows written before tokens had an expiry carry none: they are treated as issued
 * with their role's default lifetime from `createdAt`, so an old leaked token dies as a new one would, rather
 * than living forever; store staff just sign in again, and HQ re-issues integration tokens older than the
 * default (release note). A row without `createdAt` cannot be dated and counts as expired.
 */
export function expiryOf(row: { role: Role; expiresAt?: Date | null; createdAt?: Date | null }): Date {
  if (row.expiresAt) return row.expiresAt;
  return row.createdAt ? defaultExpiry(row.role, row.createdAt) : new Date(0);
}
