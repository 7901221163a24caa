/**
 * Reading request fields the way Tencent does: missing or mistyped fields fail with a code, lengths are counted
 * in characters (code points) or UTF-8 bytes as each API documents, and cursors are opaque.
 */
import { fail } from './sim-kernel.ts';

/** WeCom's generic "invalid parameter"; the official account's is 40035/47001, chosen per field by callers. */
export const INVALID_PARAMETER = 40058;

export function chars(text: string): number {
  return [...text].length;
}

export function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A string field; `missing` is the errcode when it is absent or empty. */
export function requireText(source: Record<string, unknown>, field: string, missing: number): string {
  const value = source[field];
  if (typeof value !== 'string' || value === '') fail(missing, `missing ${field}`);
  return value;
}

export function optionalText(source: Record<string, unknown>, field: string, invalid = INVALID_PARAMETER): string | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(invalid, `${field} must be a string`);
  return value;
}

export function optionalStrings(source: Record<string, unknown>, field: string, invalid = INVALID_PARAMETER): string[] | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) fail(invalid, `${field} must be a list of strings`);
  return value as string[];
}

export function optionalNumber(source: Record<string, unknown>, field: string, invalid = INVALID_PARAMETER): number | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail(invalid, `${field} must be an integer`);
  return n;
}

export function optionalObject(source: Record<string, unknown>, field: string, invalid = INVALID_PARAMETER): Record<string, unknown> | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail(invalid, `${field} must be an object`);
  return value as Record<string, unknown>;
}

export function optionalList(source: Record<string, unknown>, field: string, invalid = INVALID_PARAMETER): unknown[] | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(invalid, `${field} must be a list`);
  return value;
}

/** `limit` within [1, max], `fallback` when absent; out of range → `invalid`. */
export function pageLimit(source: Record<string, unknown>, max: number, fallback: number, invalid = INVALID_PARAMETER): number {
  const limit = optionalNumber(source, 'limit', invalid) ?? fallback;
  if (limit < 1 || limit > max) fail(invalid, `limit must be between 1 and ${max}`);
  return limit;
}

const CURSOR_PREFIX = 'SIM';

export function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}:${offset}`).toString('base64url');
}

/** Offset of an opaque cursor; '' or absent → 0; anything else unreadable → `invalid` (50100 by default). */
export function decodeCursor(cursor: unknown, invalid = 50100): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (typeof cursor !== 'string') fail(invalid, 'invalid cursor');
  const match = /^SIM:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) fail(invalid, 'invalid cursor');
  return Number(match[1]);
}

/** One page of `items` from `cursor`; `next_cursor` is '' after the last page. */
export function page<T>(items: readonly T[], cursor: unknown, limit: number): { items: T[]; next_cursor: string } {
  const offset = decodeCursor(cursor);
  const slice = items.slice(offset, offset + limit);
  const next = offset + slice.length;
  return { items: slice, next_cursor: next < items.length ? encodeCursor(next) : '' };
}
