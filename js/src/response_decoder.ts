// SPDX-License-Identifier: MIT
// Reads the binary answer of the hot calls (wasm/cq_api.h, CQ_BINARY_RESPONSE; the diffs of
// core/query/diff_binary.h) into what the engine returns for the text answer's "result": its
// outputs as the public QueryDiffs objects (engine.ts builds the same from JSON.parse's), and
// every diff exactly as JSON.parse gives it, keys in the same order. Why: JSON.parse of the 1-hop
// query's diffs cost about 800 ns a change in Node 20, about a fifth of the package's time per
// change; building the objects from bytes costs about a tenth of that.
import { toCqError } from './errors.js';

export const BINARY_RESPONSE = 4;
export const BINARY_RESPONSE_MAGIC = 0xb1;

const NEW_KEY = 0xffffffff;
const INLINE_KEY = 0xfffffffe;
const DIFF_KINDS = ['add', 'update', 'remove', 'aggregation'] as const;

type Row = Record<string, unknown>;

export class ResponseDecoder {
  private readonly text = new TextDecoder();
  private bytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private view: DataView<ArrayBufferLike> = new DataView(this.bytes.buffer);
  private pos = 0;
  private keys: string[] = [];
  /** Each engine's key table (wasm/cq_api.h): column names cross once per engine, and every row
   * object then gets the same key strings, which V8 has already internalized. */
  private readonly tables = new Map<number, string[]>();

  /** Decodes the answer of `engine` at `start` in `heap` (the wasm memory; the answer begins with
   * the magic byte); `each`: the answer of cq_apply_each's mode. It reads the memory in place: a
   * view over the whole buffer is made once per buffer (memory growth replaces it), not per call. */
  decode(heap: Uint8Array<ArrayBufferLike>, start: number, size: number, each: boolean, engine: number): unknown {
    if (this.bytes !== heap) {
      this.bytes = heap;
      this.view = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
    }
    this.pos = start + 1;
    if (this.u8() === 1) this.tables.set(engine, []);
    const keys = this.tables.get(engine);
    if (!keys) throw new Error('cqlite: malformed binary answer (no key table)');
    this.keys = keys;
    let answer: unknown;
    if (!each) {
      answer = this.outputs();
    } else {
      const n = this.u32();
      const entries = new Array<unknown>(n);
      for (let i = 0; i < n; i++) entries[i] = this.u8() === 0 ? this.outputs() : JSON.parse(this.str());
      answer = entries;
    }
    if (this.pos !== start + size) throw new Error('cqlite: malformed binary answer (length)');
    return answer;
  }

  /** Drops a closed engine's key table. */
  forget(engine: number): void {
    this.tables.delete(engine);
  }

  private u8(): number {
    return this.bytes[this.pos++]!;
  }
  private u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  private str(): string {
    const n = this.u32();
    const start = this.pos;
    this.pos += n;
    // Short ASCII (column names, most values) without TextDecoder's per-call cost; anything else
    // through it, which replaces invalid UTF-8 as decoding the whole JSON answer did.
    if (n <= 32) {
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = this.bytes[i]!;
        if (c >= 0x80) return this.text.decode(this.bytes.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.text.decode(this.bytes.subarray(start, start + n));
  }
  private key(): string {
    const i = this.u32();
    if (i === NEW_KEY) {
      const k = this.str();
      this.keys.push(k);
      return k;
    }
    if (i === INLINE_KEY) return this.str();
    return this.keys[i]!;
  }

  private outputs(): unknown[] {
    const n = this.u32();
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const query = this.str();
      const count = this.u32();
      const diffs = new Array<unknown>(count);
      for (let k = 0; k < count; k++) diffs[k] = this.diff();
      // As engine.ts's toQueryDiffs makes them from the text answer: no second object per output.
      out[i] = this.u8() === 1 ? { query, diffs, error: toCqError(JSON.parse(this.str())) } : { query, diffs };
    }
    return out;
  }

  private diff(): unknown {
    const kind = DIFF_KINDS[this.u8()];
    // Fields in the text answer's order (after, before, grouping_keys, kind); each read in turn.
    switch (kind) {
      case 'add':
        return { after: this.row(), kind };
      case 'update':
        return { after: this.row(), before: this.row(), kind };
      case 'remove':
        return { before: this.row(), kind };
      case 'aggregation': {
        const after = this.row();
        const before = this.row();
        const n = this.u32();
        const keys = new Array<string>(n);
        for (let i = 0; i < n; i++) keys[i] = this.key();
        return { after, before, grouping_keys: keys, kind };
      }
      default:
        throw new Error('cqlite: malformed binary answer (unknown diff kind)');
    }
  }

  private row(): Row | null {
    if (this.u8() === 0) return null;
    return this.entries();
  }

  private entries(): Row {
    const n = this.u32();
    const row: Row = {};
    for (let i = 0; i < n; i++) {
      const k = this.key();
      // JSON.parse makes "__proto__" an own property; an assignment would set the prototype.
      if (k === '__proto__') Object.defineProperty(row, k, { value: this.value(), writable: true, enumerable: true, configurable: true });
      else row[k] = this.value();
    }
    return row;
  }

  private value(): unknown {
    switch (this.u8()) {
      case 0:
        return null;
      case 1:
        return false;
      case 2:
        return true;
      case 3: {
        const d = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return d;
      }
      case 4:
        return this.str();
      case 5: {
        const n = this.u32();
        const list = new Array<unknown>(n);
        for (let i = 0; i < n; i++) list[i] = this.value();
        return list;
      }
      case 6:
        return this.entries();
      default:
        throw new Error('cqlite: malformed binary answer (unknown value tag)');
    }
  }
}
