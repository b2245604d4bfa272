/** How a BatchedWrites batches: sizes in the unit `sizeOf` counts. */
export interface BatchSizes {
  /** A write starts once this much waits (or at `flush`). */
  readonly batch: number;
  /** The most that may wait while a write is under way: `add` then waits for the write. */
  readonly most: number;
}

/**
 * Items written in batches as they come, one write at a time, so that a producer (a listing that
 * follows nextLinks) goes on while a batch is written: items wait until a batch's worth has come,
 * and what comes during a write waits for the next. What waits is bounded: past `most`, `add`
 * waits for the write under way. A write's failure is met by the next `add` or by `flush`, never
 * as an unhandled rejection.
 */
export class BatchedWrites<T> {
  private waiting: T[] = [];
  private waitingSize = 0;
  private writing?: Promise<void>;
  /** The one write of a batch under way (`writing` goes on while batches wait). */
  private batchWrite?: Promise<unknown>;
  private failure?: { readonly error: unknown };

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly sizes: BatchSizes,
    private readonly sizeOf: (item: T) => number,
  ) {}

  /** Adds an item; fails with an earlier write's failure, if one failed. */
  async add(item: T): Promise<void> {
    this.throwIfFailed();
    this.waiting.push(item);
    this.waitingSize += this.sizeOf(item);
    if (this.waitingSize >= this.sizes.batch) this.startWriting(this.sizes.batch);
    while (this.waitingSize >= this.sizes.most && this.batchWrite) {
      await this.batchWrite;
    }
    this.throwIfFailed();
  }

  /** Writes what waits, after the write under way; fails with a write's failure. */
  async flush(): Promise<void> {
    await this.writing;
    this.throwIfFailed();
    await this.startWriting(0);
    this.throwIfFailed();
  }

  /** Waits for the write under way (after a failure elsewhere); what was never written. */
  async abandon(): Promise<T[]> {
    await this.writing;
    this.waitingSize = 0;
    return this.waiting.splice(0);
  }

  /** The write under way, or one of what waits, batch after batch while `least` waits. */
  private startWriting(least: number): Promise<void> {
    if (this.writing) return this.writing;
    const writing = this.writeWaiting(least).finally(() => {
      if (this.writing === writing) this.writing = undefined;
    });
    this.writing = writing;
    return writing;
  }

  private async writeWaiting(least: number): Promise<void> {
    try {
      while (this.waiting.length > 0 && this.waitingSize >= least) {
        const items = this.waiting.splice(0);
        this.waitingSize = 0;
        this.batchWrite = this.write(items);
        await this.batchWrite;
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.batchWrite = undefined;
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
