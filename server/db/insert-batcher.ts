/**
 * Group commit for hot single-document inserts: inserts that arrive while a batch is being written are written
 * together by the next insertMany (unordered), and each caller learns its own outcome. Every caller still
 * waits until its document is acknowledged by the database, so durability is what a single insert gives.
 */
type Document = Record<string, unknown>;
/** The one driver method used; typed structurally because mongoose and agenda each bring their own driver copy. */
type InsertManyTarget = { insertMany(docs: Document[], options: { ordered: boolean }): Promise<unknown> };

export type InsertOutcome = 'inserted' | 'duplicate';

type Pending = { doc: Document; resolve(o: InsertOutcome): void; reject(err: unknown): void };

export class InsertBatcher {
  private queue: Pending[] = [];
  private writers = 0;
  private scheduled = false;

  /**
   * @param maxBatch   documents per insertMany; small batches keep the slowest caller's wait short
   * @param maxWriters insertMany calls in flight at once
   */
  constructor(
    private readonly collection: () => InsertManyTarget,
    private readonly maxBatch = 16,
    private readonly maxWriters = 2,
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
    try {
      await this.collection().insertMany(
        batch.map((p) => p.doc),
        { ordered: false },
      );
      for (const p of batch) p.resolve('inserted');
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index: number; code: number }> | { index: number; code: number } }).writeErrors;
      if (!writeErrors) {
        for (const p of batch) p.reject(err);
        return;
      }
      const byIndex = new Map((Array.isArray(writeErrors) ? writeErrors : [writeErrors]).map((e) => [e.index, e.code]));
      batch.forEach((p, i) => {
        const code = byIndex.get(i);
        if (code === undefined) p.resolve('inserted');
        else if (code === 11000) p.resolve('duplicate');
        else p.reject(err);
      });
    }
  }
}
