import { Types } from 'mongoose';
import { z } from 'zod';

/** A 24-hex-character id as the API shows it. */
export const objectIdString = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');

export function isObjectId(id: string): boolean {
  return /^[0-9a-f]{24}$/i.test(id);
}

export function toObjectId(id: string): Types.ObjectId | null {
  return isObjectId(id) ? new Types.ObjectId(id) : null;
}
