/**
 * Coalesces concurrent point operations on one collection (a lookup by key, a recomputation of one document) into
 * one command per batch, as InsertBatcher does for inserts: what is asked while a batch is in flight is worked on
 * together by the next, and each caller learns its own result. The inbound processor applies dozens of events
 * at once, each waiting on a few such reads and writes; on a two-core machine each command costs more Node CPU
 * than the database spends on it, so one `$in` read or one bulk write for the lot is most of the gain.
 *
 * A key asked for again before its batch starts is worked on once, for both callers (the work must then read the
 * current state when it runs, never what the first caller knew); asked for while its batch is in flight, it goes
 * into the next batch, so a caller always sees the effect of the writes it made before asking.
 */
type Waiter<R> = { resolve(r: R): void; reject(err: unknown): void };
type Entry<T, R> = { item: T; waiters: Array<Waiter<R>> };

export type KeyBatcherOptions<T, R> = {
  /** Equal keys are worked on once per batch. */
  key(item: T): string;
  /** The results of `items`, in their order. */
  work(items: T[]): Promise<R[]>;
  /** Two asks of one key before its batch starts: what the batch works on (the first when absent). */
  merge?(a: T, b: T): T;
  /** Items per batch; a larger batch makes a longer wait for its first caller. */
  maxBatch?: number;
  /** Batches in flight at once. */
  maxInFlight?: number;
};

export class KeyBatcher<T, R> {
  private queue = new Map<string, Entry<T, R>>();
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(private readonly o: KeyBatcherOptions<T, R>) {
    this.maxBatch = o.maxBatch ?? 64;
    this.maxInFlight = o.maxInFlight ?? 2;
  }

  run(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      const key = this.o.key(item);
      const queued = this.queue.get(key);
      if (queued) {
        if (this.o.merge) queued.item = this.o.merge(queued.item, item);
        queued.waiters.push({ resolve, reject });
      } else {
        this.queue.set(key, { item, waiters: [{ resolve, reject }] });
      }
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        // The rest of this turn's callers join the batch: the events applied together reach here in one turn.
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.queue.size && this.inFlight < this.maxInFlight) {
      const batch: Array<Entry<T, R>> = [];
      for (const [key, entry] of this.queue) {
        if (batch.length === this.maxBatch) break;
        batch.push(entry);
        this.queue.delete(key);
      }
      this.inFlight++;
      void this.work(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async work(batch: Array<Entry<T, R>>): Promise<void> {
    let results: R[];
    try {
      results = await this.o.work(batch.map((e) => e.item));
    } catch (err) {
      for (const e of batch) for (const w of e.waiters) w.reject(err);
      return;
    }
    batch.forEach((e, i) => {
      for (const w of e.waiters) w.resolve(results[i]!);
    });
  }
}
