/** Bulk enrollment's write path for touches and runs: raw documents in one unordered `insert` command each. */
import type { Types } from 'mongoose';
import { DUPLICATE_KEY, insertUnordered, InsertRefused, type CommandTarget } from '../../db/insert-unordered.ts';

/** A document built in full by the caller (defaults included), inserted without mongoose casting. */
export type NewDoc = Record<string, unknown> & { _id: Types.ObjectId };

/** Inserts unordered; returns the documents refused as duplicates (someone else holds their key). */
export async function insertNew(db: CommandTarget, collection: string, docs: NewDoc[]): Promise<Set<NewDoc>> {
  const errors = await insertUnordered(db, collection, docs);
  const refused = errors.filter((e) => e.code !== DUPLICATE_KEY);
  if (refused.length) throw new InsertRefused(refused);
  return new Set(errors.map((e) => docs[e.index]!));
}
