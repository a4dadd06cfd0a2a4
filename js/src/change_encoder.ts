// SPDX-License-Identifier: MIT
// Changes in the binary form of core/model/change_binary.h, for the hot calls (applyChange,
// applyChanges, applyEach): numbers cross as their 8 bytes instead of being printed by
// JSON.stringify and parsed again in wasm. Through the package that was most of the cost of a
// change's crossing (docs/benchmarks-js.md).
//
// Only the plain shape is encoded: the fields of types.ts with their types, plain objects and
// arrays of JSON values, well-formed strings. For anything else encode() returns undefined and the
// caller sends JSON text as before, so every error (a missing id, an unknown op, a Date in the
// properties...) is still reported by the JSON path with its code and message, and the values that
// reach the engine are the same either way:
// - an integral number is the integer JSON.stringify prints (exactly the number up to 2^53; past it
//   the digits of its shortest round trip padded with zeros), a float past int64 or from 1e21 on
//   (printed with an exponent); other finite numbers are floats;
// - NaN and the infinities are null (JSON.stringify prints null);
// - a property whose value is undefined is left out (as JSON.stringify does).

/** Why encoding stopped: the caller falls back to JSON text. */
class NotPlain extends Error {}
const notPlain = new NotPlain();

const OPS = new Map<unknown, number>([['insert', 0], ['update', 1], ['delete', 2]]);

export class ChangeEncoder {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  /** The changes' bytes (a view of a reused buffer, valid until the next call), or undefined when
   * some change is not of the plain shape. */
  encode(changes: readonly unknown[]): Uint8Array | undefined {
    this.pos = 0;
    try {
      this.u32(changes.length);
      for (const c of changes) this.change(c);
    } catch (e) {
      if (e === notPlain) return undefined;
      throw e;
    }
    return this.buf.subarray(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  private u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  private u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  private f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** UTF-8 with a u32 length before it; a lone surrogate (which JSON.stringify escapes, and the
   * engine then rejects through the JSON path) is not plain. */
  private str(s: unknown): void {
    if (typeof s !== 'string') throw notPlain;
    this.room(4 + s.length * 3);
    const buf = this.buf;
    const start = this.pos + 4;
    let p = start;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      } else {
        const low = s.charCodeAt(i + 1);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) throw notPlain;
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
        buf[p++] = 0xf0 | (c >> 18);
        buf[p++] = 0x80 | ((c >> 12) & 0x3f);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.view.setUint32(this.pos, p - start, true);
    this.pos = p;
  }

  private change(c: unknown): void {
    if (!isPlainObject(c)) throw notPlain;
    let op: number | undefined;
    let element: unknown;
    for (const key in c) {
      const v = c[key];
      if (v === undefined) continue;
      if (key === 'op') op = OPS.get(v);
      else if (key === 'element') element = v;
      else throw notPlain;
    }
    if (op === undefined || !isPlainObject(element)) throw notPlain;
    const e = element;
    for (const key in e) {
      switch (key) {  // a switch on constant strings: pointer compares, no Set lookup
        case 'kind': case 'source': case 'id': case 'labels': case 'effective_from': case 'properties':
        case 'start': case 'end': case 'start_source': case 'end_source':
          break;
        default:
          if (e[key] !== undefined) throw notPlain;
      }
    }
    const relation = e.kind === 'relation';
    if (!relation && e.kind !== undefined && e.kind !== 'node') throw notPlain;
    const hasStartSource = e.start_source !== undefined;
    const hasEndSource = e.end_source !== undefined;
    if (relation) {
      // As the JSON fast reader: an insert or update of a relation names both ends.
      if (op !== 2 && (e.start === undefined || e.end === undefined)) throw notPlain;
      if (op === 2 && (e.start === undefined) !== (e.end === undefined)) throw notPlain;
    } else if (e.start !== undefined || e.end !== undefined || hasStartSource || hasEndSource) {
      throw notPlain;
    }
    // A relation deleted without its ends: the JSON path (its ends are then empty); rare.
    if (relation && e.start === undefined) throw notPlain;
    const t = e.effective_from;
    if (t !== undefined && !(typeof t === 'number' && Number.isSafeInteger(t))) throw notPlain;
    this.u8(op);
    this.u8((relation ? 1 : 0) | (hasStartSource ? 2 : 0) | (hasEndSource ? 4 : 0) | (t !== undefined ? 8 : 0));
    this.str(e.source);
    this.str(e.id);
    if (relation) {
      this.str(e.start);
      this.str(e.end);
      if (hasStartSource) this.str(e.start_source);
      if (hasEndSource) this.str(e.end_source);
    }
    if (t !== undefined) this.f64(t as number);
    const labels = e.labels;
    if (labels === undefined) {
      this.u32(0);
    } else {
      if (!Array.isArray(labels)) throw notPlain;
      this.u32(labels.length);
      for (const l of labels) this.str(l);
    }
    const props = e.properties;
    if (props === undefined) this.u32(0);
    else this.entries(props, 0);
  }

  /** A plain object's defined entries: u32 count (patched after), then key and value each. */
  private entries(o: unknown, depth: number): void {
    if (!isPlainObject(o) || depth > 500) throw notPlain;
    const at = this.pos;
    this.u32(0);
    let n = 0;
    for (const key in o) {
      const v = o[key];
      if (v === undefined) continue;
      this.str(key);
      this.value(v, depth);
      n++;
    }
    this.view.setUint32(at, n, true);
  }

  private value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        if (Number.isSafeInteger(v)) {
          this.u8(3);
          this.f64(v === 0 ? 0 : v);  // -0 is the integer 0
        } else if (Number.isInteger(v) && Math.abs(v) < 1e21) {
          // JSON.stringify prints such a number as the digits of its shortest round trip padded
          // with zeros (2^60 as 1152921504606847000), which the engine reads as that integer, or
          // as a float past int64. The same here, exactly.
          const digits = BigInt(String(v));
          if (digits >= -(2n ** 63n) && digits < 2n ** 63n) {
            this.u8(8);
            this.room(8);
            this.view.setBigInt64(this.pos, digits, true);
            this.pos += 8;
          } else {
            this.u8(4);
            this.f64(v);
          }
        } else if (Number.isFinite(v)) {
          this.u8(4);  // a fraction, or 1e21 and past (printed with an exponent): a float
          this.f64(v);
        } else {
          this.u8(0);
        }
        return;
      case 'string':
        this.u8(5);
        this.str(v);
        return;
      case 'boolean':
        this.u8(v ? 2 : 1);
        return;
      case 'object':
        if (v === null) {
          this.u8(0);
        } else if (Array.isArray(v)) {
          if (depth > 500) throw notPlain;
          this.u8(6);
          this.u32(v.length);
          // JSON.stringify prints undefined (and functions) inside an array as null.
          for (const x of v) {
            if (x === undefined) this.u8(0);
            else this.value(x, depth + 1);
          }
        } else {
          this.u8(7);
          this.entries(v, depth + 1);
        }
        return;
      default:
        throw notPlain;  // bigint, function, symbol: JSON.stringify throws or drops them
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
