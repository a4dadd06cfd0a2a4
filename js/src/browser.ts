// SPDX-License-Identifier: MIT
// The browser entry: everything of index.ts, plus WorkerEngine, the same API with the engine in a
// dedicated worker it starts itself (so a page can use storage 'opfs'). Methods return promises;
// the diffs of a call cross the worker boundary once, in its reply.
import type { ChangesOptions, DiffCallback, EngineOptions } from './engine.js';
import type { OpfsPoolOptions } from './opfs/sah_pool.js';
import { CqError, toCqError, type CqErrorDetails } from './errors.js';
import { ChangeStream } from './stream.js';
import type { Change, Diff, QueryConfig, QueryDiffs, Row } from './types.js';

export * from './index.js';

/** EngineOptions minus what cannot cross to a worker (functions, the pool's raw handles). */
export interface WorkerEngineOptions extends Omit<EngineOptions, 'wasmBinary' | 'opfs' | 'locateFile'> {
  opfs?: Omit<OpfsPoolOptions, 'handles'>;
  /** The worker script (default: ./worker.js next to this file). Bundlers: point it at the
   * bundled 'cqlite/worker' entry. */
  workerUrl?: string | URL;
}

type WireOutput = { query: string; diffs: Diff[]; error?: CqErrorDetails };

function fromWireError(w: CqErrorDetails & { cq?: boolean }): CqError {
  return toCqError(w);
}

function fromWire(outputs: WireOutput[]): QueryDiffs[] {
  return outputs.map((o) => (o.error ? { query: o.query, diffs: o.diffs, error: fromWireError(o.error) } : { query: o.query, diffs: o.diffs }));
}

export class WorkerEngine {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private readonly callbacks = new Map<string, Set<DiffCallback>>();
  private readonly iterators = new Map<string, Set<ChangeStream>>();
  private readonly bufferLimit: number;

  private constructor(worker: Worker, bufferLimit: number) {
    this.worker = worker;
    this.bufferLimit = bufferLimit;
    worker.addEventListener('message', (ev: MessageEvent) => {
      const m = ev.data as { id?: number; result?: unknown; error?: CqErrorDetails; event?: string; outputs?: WireOutput[] };
      if (m.event === 'diffs') {
        this.dispatch(fromWire(m.outputs ?? []));
        return;
      }
      const p = this.pending.get(m.id ?? -1);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.error) p.reject(fromWireError(m.error));
      else p.resolve(m.result);
    });
  }

  /** Starts the worker and opens the engine in it. */
  static async open(options: WorkerEngineOptions = {}): Promise<WorkerEngine> {
    const { workerUrl, ...rest } = options;
    // URL objects do not survive postMessage; the worker resolves a string the same way.
    const engineOptions = rest.wasmUrl === undefined ? rest : { ...rest, wasmUrl: String(rest.wasmUrl) };
    const url = workerUrl ?? new URL('./worker.js', import.meta.url);
    const w = new WorkerEngine(new Worker(url, { type: 'module' }), options.iteratorBufferLimit ?? 100_000);
    try {
      await w.call('open', [engineOptions]);
    } catch (e) {
      w.worker.terminate();
      throw e;
    }
    return w;
  }

  private call<T>(method: string, args: unknown[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private dispatch(outputs: QueryDiffs[]): QueryDiffs[] {
    for (const o of outputs) {
      if (!o.diffs.length) continue;
      for (const cb of [...(this.callbacks.get(o.query) ?? [])]) {
        try {
          cb(o.diffs, o.query);
        } catch (e) {
          console.error(`cqlite: a subscriber of '${o.query}' threw`, e);
        }
      }
      for (const it of [...(this.iterators.get(o.query) ?? [])]) it.push(o.diffs);
    }
    return outputs;
  }

  registerQuery(query: QueryConfig): Promise<void> {
    return this.call('registerQuery', [query]);
  }
  removeQuery(queryId: string): Promise<void> {
    return this.call('removeQuery', [queryId]);
  }
  queries(): Promise<QueryConfig[]> {
    return this.call('queries');
  }
  results(queryId: string): Promise<Row[]> {
    return this.call('results', [queryId]);
  }
  async applyChange(change: Change): Promise<QueryDiffs[]> {
    return this.dispatch(fromWire(await this.call<WireOutput[]>('applyChange', [change])));
  }
  async applyChanges(batch: Change[]): Promise<QueryDiffs[]> {
    return this.dispatch(fromWire(await this.call<WireOutput[]>('applyChanges', [batch])));
  }
  async applyEach(changes: Change[]): Promise<Array<QueryDiffs[] | { error: CqError }>> {
    const raw = await this.call<Array<WireOutput[] | { error: CqErrorDetails }>>('applyEach', [changes]);
    return raw.map((r) => (Array.isArray(r) ? this.dispatch(fromWire(r)) : { error: fromWireError(r.error) }));
  }
  async advanceTime(nowMs: number): Promise<QueryDiffs[]> {
    return this.dispatch(fromWire(await this.call<WireOutput[]>('advanceTime', [nowMs])));
  }
  async nextDueTime(): Promise<number | undefined> {
    return (await this.call<number | null>('nextDueTime')) ?? undefined;
  }
  snapshot(): Promise<Uint8Array> {
    return this.call('snapshot');
  }
  restore(bytes: Uint8Array): Promise<void> {
    return this.call('restore', [bytes]);
  }

  subscribe(queryId: string, callback: DiffCallback): () => void {
    let set = this.callbacks.get(queryId);
    if (!set) this.callbacks.set(queryId, (set = new Set()));
    set.add(callback);
    return () => this.callbacks.get(queryId)?.delete(callback);
  }

  /** As Engine.changes(): buffered per consumer, bounded by bufferLimit diffs. */
  changes(queryId: string, options: ChangesOptions = {}): AsyncIterableIterator<Diff[]> {
    const limit = options.bufferLimit ?? this.bufferLimit;
    let set = this.iterators.get(queryId);
    if (!set) this.iterators.set(queryId, (set = new Set()));
    const members = set;
    const stream: ChangeStream = new ChangeStream(limit, queryId, () => members.delete(stream));
    members.add(stream);
    return stream;
  }

  /** Closes the engine (releasing OPFS handles and the Web Lock) and stops the worker. */
  async close(): Promise<void> {
    try {
      await this.call('close');
    } finally {
      for (const set of this.iterators.values()) for (const s of [...set]) s.end();
      this.worker.terminate();
    }
  }
}
