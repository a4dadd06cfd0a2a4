// SPDX-License-Identifier: MIT
// The C ABI of wasm/cq_api.h as typed TypeScript calls. Strings go in through malloc'd buffers
// rather than cwrap's 'string' (which copies onto the 5 MB wasm stack: a batch of changes can be
// larger); every response is parsed here and an error response becomes a thrown CqError.
//
// The hot calls (apply, applyEach) encode into one reused input buffer with TextEncoder.encodeInto
// and decode the response by its length (cq_response_size) with TextDecoder: Emscripten's
// lengthBytesUTF8/stringToUTF8 and UTF8ToString walk the text a character at a time in JavaScript,
// and with a malloc/free per call they were about a fifth of a one-change call (profile of
// 2026-12-03, scenario 1, 10,000 rooms).
import createCqliteModule, { type CqliteModule, type CqliteModuleOptions } from './wasm/cqlite.mjs';
import { toCqError, type CqErrorDetails } from './errors.js';
import { BINARY_RESPONSE, BINARY_RESPONSE_MAGIC, ResponseDecoder } from './response_decoder.js';

export type { CqliteModule };

type Response<T> = { ok: true; result: T } | { ok: false; error: CqErrorDetails };

export class Native {
  readonly module: CqliteModule;
  private readonly fnOpen: (opts: number) => number;
  private readonly fnRestore: (opts: number, bytes: number, size: number) => number;
  private readonly fnLastError: () => number;
  private readonly fnClose: (e: number) => void;
  private readonly fnRegister: (e: number, s: number) => number;
  private readonly fnRemove: (e: number, s: number) => number;
  private readonly fnList: (e: number) => number;
  private readonly fnResults: (e: number, s: number) => number;
  private readonly fnApply: (e: number, s: number) => number;
  private readonly fnApplyEach: (e: number, s: number) => number;
  private readonly fnApplyBinary: (e: number, bytes: number, size: number, mode: number) => number;
  private readonly fnAdvance: (e: number, t: number) => number;
  private readonly fnNextDue: (e: number) => number;
  private readonly fnSetClock: (e: number, t: number) => void;
  private readonly fnScenario: (s: number, n: number, o: number) => number;
  private readonly fnSnapshot: (e: number) => number;
  private readonly fnSnapshotBytes: (e: number) => number;
  private readonly fnVersion: () => number;
  private readonly fnResponseSize: (e: number) => number;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  private readonly responses = new ResponseDecoder();
  /** The reused input buffer of the hot calls (malloc'd in the wasm heap) and its size. */
  private scratch = 0;
  private scratchSize = 0;

  constructor(module: CqliteModule) {
    this.module = module;
    const m = module as unknown as Record<string, (...args: number[]) => number>;
    const fn = (name: string) => {
      const f = m['_' + name];
      if (typeof f !== 'function') throw new Error(`cqlite.wasm does not export ${name}`);
      return f;
    };
    this.fnOpen = fn('cq_engine_open');
    this.fnRestore = fn('cq_engine_restore');
    this.fnLastError = fn('cq_last_error');
    this.fnClose = fn('cq_engine_close');
    this.fnRegister = fn('cq_query_register');
    this.fnRemove = fn('cq_query_remove');
    this.fnList = fn('cq_query_list');
    this.fnResults = fn('cq_query_results');
    this.fnApply = fn('cq_apply');
    this.fnApplyEach = fn('cq_apply_each');
    this.fnApplyBinary = fn('cq_apply_binary');
    this.fnAdvance = fn('cq_advance_time');
    this.fnNextDue = fn('cq_next_due_time');
    this.fnSetClock = fn('cq_set_wall_clock');
    this.fnScenario = fn('cq_scenario_run');
    this.fnSnapshot = fn('cq_snapshot');
    this.fnSnapshotBytes = fn('cq_snapshot_bytes');
    this.fnVersion = fn('cq_version');
    this.fnResponseSize = fn('cq_response_size');
  }

  static async load(options: CqliteModuleOptions = {}): Promise<Native> {
    return new Native(await createCqliteModule(options));
  }

  /** Copies `text` into a malloc'd NUL-terminated buffer; the caller frees it. */
  private alloc(text: string): number {
    const size = this.module.lengthBytesUTF8(text) + 1;
    const ptr = this.module._malloc(size);
    this.module.stringToUTF8(text, ptr, size);
    return ptr;
  }

  private withStrings<T>(texts: string[], body: (ptrs: number[]) => T): T {
    const ptrs = texts.map((t) => this.alloc(t));
    try {
      return body(ptrs);
    } finally {
      for (const p of ptrs) this.module._free(p);
    }
  }

  private parse<T>(ptr: number): T {
    return this.unwrap<T>(this.module.UTF8ToString(ptr));
  }

  private unwrap<T>(text: string): T {
    const r = JSON.parse(text) as Response<T>;
    if (!r.ok) throw toCqError(r.error);
    return r.result;
  }

  /** The reused input buffer of the hot calls, at least `need` bytes. */
  private scratchFor(need: number): number {
    if (need > this.scratchSize) {
      if (this.scratch) this.module._free(this.scratch);
      this.scratchSize = Math.max(need, 2 * this.scratchSize, 4096);
      this.scratch = this.module._malloc(this.scratchSize);
      if (!this.scratch) {
        this.scratchSize = 0;
        throw toCqError({ code: 'Internal', message: `out of memory: no ${need} bytes in the wasm heap for the input` });
      }
    }
    return this.scratch;
  }

  /** Parses the response of a hot call by its length; a batch's buffer can be large: memory above
   * 4 MiB is given back rather than kept for good. */
  private hotResponse<T>(engine: number, out: number): T {
    const size = this.fnResponseSize(engine);
    const response = this.decoder.decode(this.module.HEAPU8.subarray(out, out + size));
    this.trimScratch();
    return this.unwrap<T>(response);
  }

  private trimScratch(): void {
    if (this.scratchSize > 4 << 20) {
      this.module._free(this.scratch);
      this.scratch = 0;
      this.scratchSize = 0;
    }
  }

  /** Calls `call` with `text` as a NUL-terminated UTF-8 string in the reused input buffer, and
   * parses the engine's response by its length. */
  private hot<T>(engine: number, text: string, call: (e: number, s: number) => number): T {
    // UTF-16 to UTF-8 takes at most 3 bytes per code unit; +1 for the NUL.
    const need = text.length * 3 + 1;
    const at = this.scratchFor(need);
    const heap = this.module.HEAPU8;  // read after _malloc: a memory growth replaces the buffer
    const { written } = this.encoder.encodeInto(text, heap.subarray(at, at + need - 1));
    heap[at + written] = 0;
    return this.hotResponse<T>(engine, call(engine, at));
  }

  /** cq_apply_binary: `bytes` (ChangeEncoder's output) applied as one change (mode 0), a batch (1)
   * or each in its own transaction (2). */
  /** The answer comes back in binary too (response_decoder.ts), or as JSON text when the call failed. */
  applyBinary<T>(engine: number, bytes: Uint8Array, mode: 0 | 1 | 2): T {
    const at = this.scratchFor(Math.max(1, bytes.length));
    this.module.HEAPU8.set(bytes, at);
    const out = this.fnApplyBinary(engine, at, bytes.length, mode | BINARY_RESPONSE);
    const heap = this.module.HEAPU8;  // read after the call: a memory growth replaces the buffer
    if (heap[out] !== BINARY_RESPONSE_MAGIC) return this.hotResponse<T>(engine, out);
    const result = this.responses.decode(heap, out, this.fnResponseSize(engine), mode === 2, engine) as T;
    this.trimScratch();
    return result;
  }

  open(options: object): number {
    const e = this.withStrings([JSON.stringify(options)], ([o]) => this.fnOpen(o!));
    if (!e) this.parse<null>(this.fnLastError());
    return e;
  }

  restore(options: object, bytes: Uint8Array): number {
    const buf = this.module._malloc(Math.max(1, bytes.length));
    try {
      this.module.HEAPU8.set(bytes, buf);
      const e = this.withStrings([JSON.stringify(options)], ([o]) => this.fnRestore(o!, buf, bytes.length));
      if (!e) this.parse<null>(this.fnLastError());
      return e;
    } finally {
      this.module._free(buf);
    }
  }

  close(engine: number): void {
    this.fnClose(engine);
    this.responses.forget(engine);
  }

  register(engine: number, queryJson: string): void {
    this.withStrings([queryJson], ([q]) => this.parse<null>(this.fnRegister(engine, q!)));
  }

  remove(engine: number, id: string): void {
    this.withStrings([id], ([q]) => this.parse<null>(this.fnRemove(engine, q!)));
  }

  list<T>(engine: number): T {
    return this.parse<T>(this.fnList(engine));
  }

  results<T>(engine: number, id: string): T {
    return this.withStrings([id], ([q]) => this.parse<T>(this.fnResults(engine, q!)));
  }

  /** The raw JSON text of cq_apply's response (parsed by the caller, which maps errors per query). */
  apply<T>(engine: number, changesJson: string): T {
    return this.hot<T>(engine, changesJson, this.fnApply);
  }

  applyEach<T>(engine: number, changesJson: string): T {
    return this.hot<T>(engine, changesJson, this.fnApplyEach);
  }

  advanceTime<T>(engine: number, nowMs: number): T {
    return this.parse<T>(this.fnAdvance(engine, nowMs));
  }

  nextDueTime(engine: number): number {
    return this.fnNextDue(engine);
  }

  setWallClock(engine: number, nowMs: number): void {
    this.fnSetClock(engine, nowMs);
  }

  snapshot(engine: number): Uint8Array {
    const { size } = this.parse<{ size: number }>(this.fnSnapshot(engine));
    const ptr = this.fnSnapshotBytes(engine);
    return this.module.HEAPU8.slice(ptr, ptr + size);
  }

  scenario<T>(scenarioJson: string, name: string, optionsJson: string): T {
    return this.withStrings([scenarioJson, name, optionsJson], ([s, n, o]) =>
      this.parse<T>(this.fnScenario(s!, n!, o!)),
    );
  }

  version(): string {
    return this.module.UTF8ToString(this.fnVersion());
  }
}
