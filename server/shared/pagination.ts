/**
 * Cursor pagination on `_id` (newest first). ObjectIds grow with insertion time, so rows inserted while a
 * client pages never shift the pages it has not read yet.
 */
import { Types } from 'mongoose';
import { z } from 'zod';
import { BadRequestError } from '../errors.ts';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export function encodeCursor(id: Types.ObjectId | string): string {
  return Buffer.from(String(id), 'utf8').toString('base64url');
}

export function cursorFilter(cursor: string | undefined): Record<string, unknown> {
  if (!cursor) return {};
  const hex = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!Types.ObjectId.isValid(hex) || hex.length !== 24) throw new BadRequestError('分页游标无效 Invalid cursor');
  return { _id: { $lt: new Types.ObjectId(hex) } };
}

/** Call with limit + 1 rows fetched: the extra row only tells whether another page exists. */
export function toPage<T extends { _id: Types.ObjectId }, R>(rows: T[], limit: number, map: (row: T) => R): Page<R> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: more && last ? encodeCursor(last._id) : null };
}

/**
 * A point in a newest-first list ordered by a time field and then `_id` (both descending): pages of a list merged
 * from several collections (a customer's activity) continue after it without skipping rows that share a time.
 */
export type TimePoint = { at: Date; id: string };

export function encodeTimePoint(p: TimePoint): string {
  return Buffer.from(`${p.at.getTime()}:${p.id}`, 'utf8').toString('base64url');
}

export function decodeTimePoint(cursor: string | undefined): TimePoint | null {
  if (!cursor) return null;
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const at = new Date(Number(ms));
  if (!id || Number.isNaN(at.getTime()) || !Types.ObjectId.isValid(id) || id.length !== 24) throw new BadRequestError('分页游标无效 Invalid cursor');
  return { at, id };
}

/** Rows strictly after `before` in (field desc, _id desc) order; everything when there is no cursor. */
export function beforeTimePoint(field: string, before: TimePoint | null): Record<string, unknown> {
  if (!before) return {};
  return { $or: [{ [field]: { $lt: before.at } }, { [field]: before.at, _id: { $lt: new Types.ObjectId(before.id) } }] };
}
