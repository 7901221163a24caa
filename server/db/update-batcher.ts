/**
 * Group commit for hot single-document updates: updates asked for while a batch is being written go together in
 * the next unordered `update` command (KeyBatcher), and each caller learns its own outcome. The inbound
 * processor applies dozens of events at once, each upserting a friend relation or owing a detail; one command for
 * the lot costs the database and Node a fraction of one command each.
 *
 * Two updates of the same document (equal filters) never share a command: an unordered command may apply them in
 * either order, so the later one waits for the next round. An upsert that lost an insert race to a concurrent one
 * (duplicate key) is retried alone, as the server retries its own single upserts.
 */
import { KeyBatcher } from './key-batcher.ts';
import { DUPLICATE_KEY, type CommandTarget, type WriteError } from './insert-unordered.ts';

type Document = Record<string, unknown>;

/** One statement of an `update` command. */
export type UpdateStatement = { q: Document; u: Document; upsert?: boolean };

/** A statement the database refused (other than an upsert's lost insert race, which is retried). */
export class UpdateRefused extends Error {
  override readonly name = 'UpdateRefused';
  constructor(readonly writeError: WriteError) {
    super(`update refused: ${writeError.code} ${writeError.errmsg ?? ''}`.trim());
  }
}

export class UpdateBatcher {
  private seq = 0;
  private readonly batcher: KeyBatcher<UpdateStatement, WriteError | null>;

  constructor(
    private readonly db: () => CommandTarget,
    private readonly collectionName: string,
    maxBatch = 64,
  ) {
    // Every ask is its own key: updates are never merged, only sent together.
    this.batcher = new KeyBatcher({ key: () => String(this.seq++), work: (statements) => this.write(statements), maxBatch });
  }

  async update(statement: UpdateStatement): Promise<void> {
    let error = await this.batcher.run(statement);
    if (error?.code === DUPLICATE_KEY && statement.upsert) error = (await this.command([statement]))[0] ?? null;
    if (error) throw new UpdateRefused(error);
  }

  /** The statements in rounds of distinct filters (the same document twice goes in a later round, in ask order). */
  private async write(statements: UpdateStatement[]): Promise<Array<WriteError | null>> {
    const errors = new Array<WriteError | null>(statements.length).fill(null);
    let left = statements.map((s, i) => ({ s, i }));
    while (left.length) {
      const seen = new Set<string>();
      const round: typeof left = [];
      const later: typeof left = [];
      for (const item of left) {
        const key = JSON.stringify(item.s.q);
        if (seen.has(key)) {
          later.push(item);
        } else {
          seen.add(key);
          round.push(item);
        }
      }
      const found = await this.command(round.map((r) => r.s));
      round.forEach((r, k) => (errors[r.i] = found[k]!));
      left = later;
    }
    return errors;
  }

  private async command(statements: UpdateStatement[]): Promise<Array<WriteError | null>> {
    const reply = await this.db().command({ update: this.collectionName, updates: statements, ordered: false });
    if (reply.writeConcernError) throw new Error(`write concern failed: ${JSON.stringify(reply.writeConcernError)}`);
    const out = new Array<WriteError | null>(statements.length).fill(null);
    for (const e of (reply.writeErrors as WriteError[] | undefined) ?? []) out[e.index] = e;
    return out;
  }
}
