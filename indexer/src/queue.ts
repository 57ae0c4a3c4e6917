// The bounded queue between the sources and the writer: producers wait for room, the writer takes
// whatever is there (up to a batch) as soon as there is something, so batches are large when
// backfilling and small (low latency) when following live.
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private closed = false;
  private roomWaiters: (() => void)[] = [];
  private itemWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Resolves once `item` is in the queue (waits while it is full). */
  async push(item: T): Promise<void> {
    while (this.size >= this.capacity && !this.closed) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    if (this.closed) throw new Error("queue closed");
    this.items.push(item);
    this.wake(this.itemWaiters);
  }

  /** Up to `max` items; waits up to `waitMs` for the first. Empty when the wait ran out or the queue closed. */
  async take(max: number, waitMs: number): Promise<T[]> {
    if (this.size === 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.itemWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const taken = this.items.slice(this.head, this.head + max);
    this.head += taken.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.wake(this.roomWaiters);
    return taken;
  }

  /** No more items will come: producers are refused, the consumer drains what is left. */
  close(): void {
    this.closed = true;
    this.wake(this.itemWaiters);
    this.wake(this.roomWaiters);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(waiters: (() => void)[]): void {
    for (const wake of waiters.splice(0)) wake();
  }
}
