/**
 * Group commit for hot single-document inserts: inserts that arrive while a batch is being written are written
 * together by the next unordered insert command, and each caller learns its own outcome. Every caller still
 * waits until its document is acknowledged by the database, with the write concern given (a journaled one
 * makes the batch durable before any caller hears of it).
 */
import { DUPLICATE_KEY, insertUnordered, InsertRefused, type CommandTarget, type WriteConcern, type WriteError } from './insert-unordered.ts';

type Document = Record<string, unknown>;

export type InsertOutcome = 'inserted' | 'duplicate';

type Pending = { doc: Document; resolve(o: InsertOutcome): void; reject(err: unknown): void };

export class InsertBatcher {
  private queue: Pending[] = [];
  private writers = 0;
  private scheduled = false;

  /**
   * @param maxBatch   documents per insert command; small batches keep the slowest caller's wait short
   * @param maxWriters insert commands in flight at once
   * @param writeConcern sent with each insert command; the database's default when absent
   */
  constructor(
    private readonly db: () => CommandTarget,
    private readonly collectionName: string,
    private readonly maxBatch = 16,
    private readonly maxWriters = 2,
    private readonly writeConcern?: WriteConcern,
  ) {}

  insert(doc: Document): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      if (!this.scheduled && this.writers < this.maxWriters) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.queue.length && this.writers < this.maxWriters) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.writers++;
      void this.write(batch).finally(() => {
        this.writers--;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let writeErrors: WriteError[];
    try {
      writeErrors = await insertUnordered(this.db(), this.collectionName, batch.map((p) => p.doc), this.writeConcern);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const byIndex = new Map(writeErrors.map((e) => [e.index, e]));
    batch.forEach((p, i) => {
      const error = byIndex.get(i);
      if (!error) p.resolve('inserted');
      else if (error.code === DUPLICATE_KEY) p.resolve('duplicate');
      else p.reject(new InsertRefused([error]));
    });
  }
}
