// SPDX-License-Identifier: MIT
// Engine: the public API over one cqlite engine in the wasm module. Runs wherever the module runs
// (Node, a page, a worker, an edge runtime); storage 'file' needs Node, storage 'opfs' a dedicated
// worker. Each call crosses into wasm once; diffs go to the caller, then to subscribers.
import { Native } from './native.js';
import { CqMisuseError, CqStorageLockedError, CqError, CqSubscriberOverflowError, toCqError, type CqErrorDetails } from './errors.js';
export { CqSubscriberOverflowError };
import { openOpfsPool, PoolLockedError, type OpfsPoolOptions, type SahPool } from './opfs/sah_pool.js';
import { ChangeEncoder } from './change_encoder.js';
import { ChangeStream } from './stream.js';
import { lockDatabaseFile } from './file_lock.js';
import type { Change, Diff, QueryConfig, QueryDiffs, Row } from './types.js';

export interface EngineOptions {
  /** 'memory' (default): the memory backend, fastest, nothing kept. 'sqlite': SQLite in memory,
   * with snapshot()/restore() (edge mode). 'file': an SQLite file on disk at `path` (Node; same
   * format as the native CLI's --db). 'opfs': SQLite in the Origin Private File System (browser
   * dedicated worker). */
  storage?: 'memory' | 'sqlite' | 'file' | 'opfs';
  /** 'file': the database file. 'opfs': the database name inside the pool (default 'cqlite.db'). */
  path?: string;
  /** 'system' (default): time-based functions fire on timers the engine sets (setTimeout);
   * 'manual': nothing fires until advanceTime(ms), and timestamp()/datetime() read that clock. */
  clock?: 'system' | 'manual';
  /** Node only, clock 'system': whether a pending time-based function keeps the process alive
   * until it fires or the engine is closed (default true, like an open socket). false: the timer is
   * unref'd, so a script that forgets close() still exits (and what was due later never fires). */
  keepAlive?: boolean;
  /** Keep every element version for drasi.getVersionByTimestamp (default true). */
  archive?: boolean;
  /** 'opfs': the slot pool (directory, capacity, lock: 'fail' | 'wait'). */
  opfs?: OpfsPoolOptions;
  /** Start from the bytes snapshot() returned (storage 'sqlite'). */
  snapshot?: Uint8Array;
  /** The cqlite.wasm bytes: no fetch, no file read (edge runtimes, bundlers). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where cqlite.wasm is, when it is not next to cqlite.mjs (a bundler that does not copy it):
   * a URL in browsers, a URL or file path in Node. */
  wasmUrl?: string | URL;
  /** Emscripten's hook, for full control: returns where the module finds `path` (cqlite.wasm). */
  locateFile?: (path: string, prefix: string) => string;
  /** Default buffer bound of changes() iterators, in diffs (default 100,000). */
  iteratorBufferLimit?: number;
  /** How applyChange/applyChanges/applyEach send changes into wasm: 'binary' (default; numbers
   * cross as their 8 bytes, and a change of another shape goes as JSON text) or 'json' (always JSON
   * text). Both give the same results; 'json' is there to compare them. */
  crossing?: 'binary' | 'json';
}

export interface ChangesOptions {
  /** Diffs buffered for a consumer that has not pulled them yet. Past it the iterator delivers what
   * it holds, then throws CqSubscriberOverflowError (code Misuse): nothing is dropped silently. */
  bufferLimit?: number;
}

export type DiffCallback = (diffs: Diff[], queryId: string) => void;

interface RawOutput {
  query: string;
  diffs: Diff[];
  error?: CqErrorDetails;
}

let sharedNative: Promise<Native> | undefined;
const kHostMount = '/host';

function toWireQuery(q: QueryConfig): string {
  const { sourcePipelines, ...rest } = q;
  return JSON.stringify(sourcePipelines ? { ...rest, source_pipelines: sourcePipelines } : rest);
}

function toQueryDiffs(raw: RawOutput[]): QueryDiffs[] {
  return raw.map((o) =>
    o.error ? { query: o.query, diffs: o.diffs, error: toCqError(o.error) } : { query: o.query, diffs: o.diffs },
  );
}

export class Engine {
  private native: Native;
  private handle: number;
  private readonly options: EngineOptions;
  private readonly wireOptions: Record<string, unknown>;
  private readonly callbacks = new Map<string, Set<DiffCallback>>();
  private readonly streams = new Map<string, Set<ChangeStream>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = -1;
  /** Releases what the storage holds besides the engine: the OPFS pool and its Web Lock, or the
   * lock file of storage 'file'. */
  private release: (() => void) | undefined;
  /** The binary crossing of changes (undefined with crossing 'json'). */
  private readonly encoder: ChangeEncoder | undefined;

  private constructor(native: Native, handle: number, options: EngineOptions, wire: Record<string, unknown>, release?: () => void) {
    this.native = native;
    this.handle = handle;
    this.options = options;
    this.wireOptions = wire;
    this.release = release;
    this.encoder = options.crossing === 'json' ? undefined : new ChangeEncoder();
    this.schedule();
  }

  /** Opens an engine. Rejects with a CqError (CqStorageLockedError when another tab holds 'opfs',
   * or another engine the 'file'). */
  static async open(options: EngineOptions = {}): Promise<Engine> {
    const storage = options.storage ?? 'memory';
    let wasmUrl = options.wasmUrl === undefined ? undefined : String(options.wasmUrl);
    // Node reads the file with fs, which takes paths rather than file: URLs.
    if (wasmUrl?.startsWith('file:')) wasmUrl = decodeURIComponent(new URL(wasmUrl).pathname);
    const locateFile = options.locateFile ?? (wasmUrl ? () => wasmUrl : undefined);
    const moduleOptions = { wasmBinary: options.wasmBinary, locateFile };
    if (options.crossing !== undefined && options.crossing !== 'binary' && options.crossing !== 'json')
      throw new CqMisuseError({ code: 'Misuse', message: `unknown crossing '${String(options.crossing)}' (binary, json)` });
    const wire: Record<string, unknown> = { clock: options.clock ?? 'system', archive: options.archive ?? true };
    let native: Native;
    let pool: SahPool | undefined;
    let release: (() => void) | undefined;
    if (storage === 'opfs') {
      try {
        pool = await openOpfsPool(options.opfs);
      } catch (e) {
        if (e instanceof PoolLockedError) throw new CqStorageLockedError({ code: 'StorageLocked', message: e.message });
        throw toCqError({ code: 'StorageIo', message: String((e as Error)?.message ?? e) });
      }
      release = () => pool?.close();
      // The pool belongs to this engine's own module instance: the VFS reaches it as Module.sahPool.
      try {
        native = await Native.load({ ...moduleOptions, sahPool: pool });
      } catch (e) {
        release();
        throw e;
      }
      Object.assign(wire, {
        storage: 'sqlite',
        path: '/' + (options.path ?? 'cqlite.db').replace(/^\/+/, ''),
        vfs: 'opfs-sah',
        journal_mode: options.opfs?.journalMode ?? 'WAL',
      });
    } else {
      if (options.wasmBinary || locateFile) native = await Native.load(moduleOptions);
      else native = await (sharedNative ??= Native.load());
      if (storage === 'memory') wire.storage = 'memory';
      else if (storage === 'sqlite') wire.storage = 'sqlite';
      else if (storage === 'file') {
        const { path, hostPath } = Engine.hostPath(native, options.path);
        release = lockDatabaseFile(hostPath);
        Object.assign(wire, { storage: 'sqlite', path });
      }
      else throw new CqMisuseError({ code: 'Misuse', message: `unknown storage '${String(storage)}' (memory, sqlite, file, opfs)` });
    }
    try {
      const handle = options.snapshot ? native.restore(wire, options.snapshot) : native.open(wire);
      return new Engine(native, handle, options, wire, release);
    } catch (e) {
      release?.();
      throw e;
    }
  }

  /** Storage 'file': the real file system is mounted (NODEFS) at /host in the module. */
  private static hostPath(native: Native, path: string | undefined): { path: string; hostPath: string } {
    if (!path) throw new CqMisuseError({ code: 'Misuse', message: "storage 'file' needs a path" });
    const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
    const nodePath = proc?.getBuiltinModule?.('path') as { resolve(p: string): string } | undefined;
    if (!nodePath) throw new CqMisuseError({ code: 'Misuse', message: "storage 'file' needs Node (use 'opfs' in browsers)" });
    const fs = native.module.FS;
    if (!fs.analyzePath(kHostMount).exists) {
      fs.mkdir(kHostMount);
      fs.mount(fs.filesystems['NODEFS'], { root: '/' }, kHostMount);
    }
    const hostPath = nodePath.resolve(path);
    return { path: kHostMount + hostPath, hostPath };
  }

  private get live(): number {
    if (!this.handle) throw new CqMisuseError({ code: 'Misuse', message: 'the engine is closed' });
    return this.handle;
  }

  /** Registers a continuous query. Throws CqParseError (with line/column), CqQueryError, ... */
  registerQuery(query: QueryConfig): void {
    this.native.register(this.live, toWireQuery(query));
  }

  removeQuery(queryId: string): void {
    this.native.remove(this.live, queryId);
    this.streams.get(queryId)?.forEach((s) => s.end());
    this.streams.delete(queryId);
    this.callbacks.delete(queryId);
  }

  /** The registered queries, in registration order. */
  queries(): QueryConfig[] {
    return this.native.list<QueryConfig[]>(this.live);
  }

  /** The query's current result rows. */
  results(queryId: string): Row[] {
    return this.native.results<Row[]>(this.live, queryId);
  }

  /** Applies one change in its own transaction; returns each query's diffs (or its error). */
  applyChange(change: Change): QueryDiffs[] {
    // The binary answer is decoded into QueryDiffs already; the text one is converted here.
    const bytes = this.encoder?.encode([change]);
    const out = bytes
      ? this.native.applyBinary<QueryDiffs[]>(this.live, bytes, 0)
      : toQueryDiffs(this.native.apply<RawOutput[]>(this.live, JSON.stringify(change)));
    return this.deliver(out);
  }

  /** Applies a batch in ONE transaction: one entry per query with the diffs of the whole batch. */
  applyChanges(batch: Change[]): QueryDiffs[] {
    const bytes = Array.isArray(batch) ? this.encoder?.encode(batch) : undefined;
    const out = bytes
      ? this.native.applyBinary<QueryDiffs[]>(this.live, bytes, 1)
      : toQueryDiffs(this.native.apply<RawOutput[]>(this.live, JSON.stringify(batch)));
    return this.deliver(out);
  }

  /** Applies each change in its own transaction with one crossing into wasm: the same result as
   * calling applyChange once per change (subscribers see one notification per change). */
  applyEach(changes: Change[]): Array<QueryDiffs[] | { error: CqError }> {
    type Each<T> = Array<T[] | { error: CqErrorDetails }>;
    const bytes = Array.isArray(changes) ? this.encoder?.encode(changes) : undefined;
    // Entries of the binary answer are QueryDiffs already, those of the text one RawOutput.
    const binary = bytes !== undefined;
    const raw = bytes
      ? this.native.applyBinary<Each<QueryDiffs>>(this.live, bytes, 2)
      : this.native.applyEach<Each<RawOutput>>(this.live, JSON.stringify(changes));
    const out: Array<QueryDiffs[] | { error: CqError }> = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const entry = raw[i]!;
      if (!Array.isArray(entry)) out[i] = { error: toCqError(entry.error) };
      else out[i] = this.deliver(binary ? (entry as QueryDiffs[]) : toQueryDiffs(entry as RawOutput[]), false);
    }
    this.schedule();
    return out;
  }

  /** Manual clock: sets the clock to `nowMs` and fires every future due by then. With the system
   * clock it fires what is due by `nowMs` too (tests). */
  advanceTime(nowMs: number): QueryDiffs[] {
    this.native.setWallClock(this.live, nowMs);
    return this.deliver(toQueryDiffs(this.native.advanceTime<RawOutput[]>(this.live, nowMs)));
  }

  /** The earliest time a time-based function is due, or undefined. */
  nextDueTime(): number | undefined {
    const t = this.native.nextDueTime(this.live);
    return t < 0 ? undefined : t;
  }

  /** Calls `callback` with each non-empty list of diffs of `queryId`. Returns the unsubscribe. */
  subscribe(queryId: string, callback: DiffCallback): () => void {
    let set = this.callbacks.get(queryId);
    if (!set) this.callbacks.set(queryId, (set = new Set()));
    set.add(callback);
    return () => {
      this.callbacks.get(queryId)?.delete(callback);
    };
  }

  /** An async iterator over `queryId`'s diffs, one item per change (or batch). It buffers while the
   * consumer is busy: the engine never waits for it. */
  changes(queryId: string, options: ChangesOptions = {}): AsyncIterableIterator<Diff[]> {
    const limit = options.bufferLimit ?? this.options.iteratorBufferLimit ?? 100_000;
    let set = this.streams.get(queryId);
    if (!set) this.streams.set(queryId, (set = new Set()));
    const streams = set;
    const stream: ChangeStream = new ChangeStream(limit, queryId, () => streams.delete(stream));
    streams.add(stream);
    return stream;
  }

  /** Edge mode (storage 'sqlite'): the whole state as the bytes of an SQLite database file. */
  snapshot(): Uint8Array {
    return this.native.snapshot(this.live);
  }

  /** Replaces the whole state with a snapshot (queries included). Subscriptions stay. */
  restore(bytes: Uint8Array): void {
    const next = this.native.restore(this.wireOptions, bytes);
    this.native.close(this.live);
    this.handle = next;
    this.schedule();
  }

  /** Closes the engine, ends every changes() iterator and releases OPFS handles and locks. */
  close(): void {
    if (!this.handle) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.native.close(this.handle);
    this.handle = 0;
    for (const set of this.streams.values()) for (const s of [...set]) s.end();
    this.streams.clear();
    this.callbacks.clear();
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  /** The package version and the engine it runs. */
  version(): string {
    return this.native.version();
  }

  private deliver(outputs: QueryDiffs[], reschedule = true): QueryDiffs[] {
    for (const o of outputs) {
      if (o.diffs.length === 0) continue;
      const cbs = this.callbacks.get(o.query);
      if (cbs) {
        for (const cb of [...cbs]) {
          try {
            cb(o.diffs, o.query);
          } catch (e) {
            // A failing subscriber must not stop the others or the engine.
            console.error(`cqlite: a subscriber of '${o.query}' threw`, e);
          }
        }
      }
      const streams = this.streams.get(o.query);
      if (streams) for (const s of [...streams]) s.push(o.diffs);
    }
    if (reschedule) this.schedule();
    return outputs;
  }

  /** System clock: one timer for the earliest future (cq_next_due_time), re-armed after each call. */
  private schedule(): void {
    if (!this.handle || (this.options.clock ?? 'system') !== 'system') return;
    const due = this.native.nextDueTime(this.handle);
    if (due === this.timerDue && this.timer !== undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = due;
    if (due < 0) return;
    // setTimeout's limit is 2^31-1 ms; a later due time re-arms when this one fires.
    const delay = Math.min(Math.max(0, due - Date.now()), 2 ** 31 - 1);
    const t = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = -1;
      if (!this.handle) return;
      this.deliver(toQueryDiffs(this.native.advanceTime<RawOutput[]>(this.handle, Date.now())));
    }, delay);
    if (this.options.keepAlive === false) (t as { unref?: () => void }).unref?.();
    this.timer = t;
  }
}
