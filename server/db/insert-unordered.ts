/**
 * Many documents in one unordered `insert` command. The driver's insertMany goes through its bulk-write layer,
 * which cost about 40% more CPU per batch on our hot paths (vendor callbacks, audience fan-out); duplicates come
 * back here as write errors with their index instead of as an exception.
 */
type Document = Record<string, unknown>;
/** The one driver method used; typed structurally because mongoose and agenda each bring their own driver copy. */
export type CommandTarget = { command(command: Document): Promise<Document> };
export type WriteError = { index: number; code: number; errmsg?: string };

export const DUPLICATE_KEY = 11000;

/** A document the database refused for a reason other than a duplicate key. */
export class InsertRefused extends Error {
  override readonly name = 'InsertRefused';
  constructor(readonly writeErrors: WriteError[]) {
    super(`insert refused: ${writeErrors.map((e) => `#${e.index} ${e.code} ${e.errmsg ?? ''}`.trim()).join('; ')}`);
  }
}

/** `{ w, j }` as MongoDB takes it; `j: true` acknowledges only once the write is in the journal (on disk). */
export type WriteConcern = { w?: number | 'majority'; j?: boolean };

/** Inserts `docs` into `collection`; returns the write errors by document index (duplicates included). */
export async function insertUnordered(db: CommandTarget, collection: string, docs: Document[], writeConcern?: WriteConcern): Promise<WriteError[]> {
  if (!docs.length) return [];
  const reply = await db.command({ insert: collection, documents: docs, ordered: false, ...(writeConcern ? { writeConcern } : {}) });
  if (reply.writeConcernError) throw new Error(`write concern failed: ${JSON.stringify(reply.writeConcernError)}`);
  return (reply.writeErrors as WriteError[] | undefined) ?? [];
}
