/**
 * Several update statements in one ordered `update` command: one round trip where a write needs a second,
 * conditional statement (a first-time mark beside an append). They apply in the order given, and the first
 * refused statement stops the rest.
 */
import type { CommandTarget, WriteError } from './insert-unordered.ts';
import { UpdateRefused, type UpdateStatement } from './update-batcher.ts';

/** Throws UpdateRefused on the first refused statement. */
export async function updateInOrder(db: CommandTarget, collection: string, statements: UpdateStatement[]): Promise<void> {
  const reply = await db.command({ update: collection, updates: statements, ordered: true });
  if (reply.writeConcernError) throw new Error(`write concern failed: ${JSON.stringify(reply.writeConcernError)}`);
  const [error] = (reply.writeErrors as WriteError[] | undefined) ?? [];
  if (error) throw new UpdateRefused(error);
}
