// Events pushed by work that runs on its own (the columns of a run), read in order by one reader
// at its own pace: the work never waits for the reader, so a slow or departed reader cannot hold
// up a column or stop the run from being stored.

export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | null = null;
  private closed = false;
  private failure: { error: unknown } | null = null;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  /** No more items: the reader ends after the ones queued. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The reader throws `error` after the items queued. */
  fail(error: unknown): void {
    this.failure = { error };
    this.close();
  }

  private wake(): void {
    const wake = this.waiting;
    this.waiting = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.closed) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
