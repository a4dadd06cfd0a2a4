// SPDX-License-Identifier: MIT
// The async iterator behind changes() (Engine and WorkerEngine): one item per change or batch,
// buffered while the consumer is busy so the engine never waits for it, bounded by `limit` diffs.
// Past the bound it delivers everything it holds, then rejects with CqSubscriberOverflowError.
import { CqSubscriberOverflowError } from './errors.js';
import type { Diff } from './types.js';

export class ChangeStream implements AsyncIterableIterator<Diff[]> {
  private readonly queue: Diff[][] = [];
  private buffered = 0;
  private waiting: ((r: IteratorResult<Diff[]>) => void) | undefined;
  private failure: unknown;
  private done = false;

  constructor(private readonly limit: number, private readonly queryId: string, private readonly detach: () => void) {}

  push(diffs: Diff[]): void {
    if (this.done || this.failure) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: diffs, done: false });
      return;
    }
    if (this.buffered + diffs.length > this.limit) {
      this.failure = new CqSubscriberOverflowError(this.queryId, this.limit);
      this.detach();
      return;
    }
    this.queue.push(diffs);
    this.buffered += diffs.length;
  }

  end(): void {
    this.done = true;
    this.detach();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Diff[]>> {
    const head = this.queue.shift();
    if (head) {
      this.buffered -= head.length;
      return Promise.resolve({ value: head, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    // A waiting consumer takes the next push directly, so it can never be past the bound.
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<Diff[]>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Diff[]> {
    return this;
  }
}
