// SPDX-License-Identifier: MIT
// Build-time generator of cqlite's time-zone table (see docs/time-zones.md).
// Reads the TZif files of a zoneinfo directory (Debian tzdata: /usr/share/zoneinfo) and writes one
// C++ source with a compact byte blob: per zone, its UTC offsets, the transitions from 1900 up to
// the point where the zone's POSIX TZ rule reproduces them, and that rule for every later instant.
// Every transition of the input up to 2037 is checked against the compact form before writing.
//
// usage: node scripts/gen_tzdata.mjs <zoneinfo dir> <output .cpp>
import fs from 'node:fs';
import path from 'node:path';

const [, , zoneDir, outFile] = process.argv;
if (!zoneDir || !outFile) {
  console.error('usage: node gen_tzdata.mjs <zoneinfo dir> <output .cpp>');
  process.exit(2);
}

const kStart = -2208988800;  // 1900-01-01T00:00:00Z: older history is not kept
const kEnd = 2145916800;     // 2038-01-01T00:00:00Z: fat TZif files list transitions up to here

// ---- TZif (RFC 8536), version 2+ 64-bit section ----
function parseTzif(buf) {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const header = (off) => {
    const v = [];
    for (let i = 0; i < 6; ++i) v.push(buf.readUInt32BE(off + 20 + 4 * i));
    const [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = v;
    return { isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt };
  };
  const h1 = header(0);
  if (buf[4] < 0x32) throw new Error('TZif version 1 files are not supported');
  let off = 44 + h1.timecnt * 5 + h1.typecnt * 6 + h1.charcnt + h1.leapcnt * 8 + h1.isstdcnt + h1.isutcnt;
  const h = header(off);
  off += 44;
  const times = [];
  for (let i = 0; i < h.timecnt; ++i) times.push(Number(buf.readBigInt64BE(off + 8 * i)));
  off += 8 * h.timecnt;
  const idx = [];
  for (let i = 0; i < h.timecnt; ++i) idx.push(buf[off + i]);
  off += h.timecnt;
  const types = [];
  for (let i = 0; i < h.typecnt; ++i) types.push(buf.readInt32BE(off + 6 * i));
  off += 6 * h.typecnt + h.charcnt + h.leapcnt * 12 + h.isstdcnt + h.isutcnt;
  const footer = buf.toString('latin1', off).split('\n')[1] ?? '';
  return { times, idx, offsets: types, footer };
}

// ---- POSIX TZ rules (the same algorithm as core/temporal/time_zone.cpp) ----
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
const isLeap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y, m) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

function parsePosix(s) {
  let i = 0;
  const name = () => {
    if (s[i] === '<') { const j = s.indexOf('>', i); i = j + 1; return; }
    while (i < s.length && /[A-Za-z]/.test(s[i])) ++i;
  };
  const hms = () => {
    let sign = 1;
    if (s[i] === '+' || s[i] === '-') { if (s[i] === '-') sign = -1; ++i; }
    let parts = [0, 0, 0], p = 0, num = '';
    for (; i < s.length && /[0-9:]/.test(s[i]); ++i) {
      if (s[i] === ':') { parts[p++] = Number(num); num = ''; } else num += s[i];
    }
    parts[p] = Number(num);
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  };
  const rule = () => {
    const r = {};
    if (s[i] === 'M') {
      ++i; const [m, w, d] = s.slice(i).match(/^(\d+)\.(\d+)\.(\d+)/).slice(1).map(Number);
      i += s.slice(i).match(/^\d+\.\d+\.\d+/)[0].length;
      Object.assign(r, { kind: 'M', m, w, d });
    } else if (s[i] === 'J') {
      ++i; const n = s.slice(i).match(/^\d+/)[0]; i += n.length; Object.assign(r, { kind: 'J', n: Number(n) });
    } else {
      const n = s.slice(i).match(/^\d+/)[0]; i += n.length; Object.assign(r, { kind: 'N', n: Number(n) });
    }
    r.time = 7200;
    if (s[i] === '/') { ++i; r.time = hms(); }
    return r;
  };
  name();
  const std = -hms();
  if (i >= s.length) return { std, dst: null };
  name();
  let dst = std + 3600;
  if (i < s.length && s[i] !== ',') dst = -hms();
  let start, end;
  if (s[i] === ',') { ++i; start = rule(); ++i; end = rule(); }
  else { start = { kind: 'M', m: 3, w: 2, d: 0, time: 7200 }; end = { kind: 'M', m: 11, w: 1, d: 0, time: 7200 }; }
  return { std, dst, start, end };
}

function ruleDay(r, y) {
  if (r.kind === 'J') return daysFromCivil(y, 1, 1) + r.n - 1 + (isLeap(y) && r.n >= 60 ? 1 : 0);
  if (r.kind === 'N') return daysFromCivil(y, 1, 1) + r.n;
  const first = daysFromCivil(y, r.m, 1);
  const wdFirst = ((first % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday (4), Sunday = 0
  let day = first + ((r.d - wdFirst + 7) % 7) + (r.w - 1) * 7;
  while (day >= first + daysInMonth(y, r.m)) day -= 7;
  return day;
}

function ruleTransitions(p, y) {
  const s = ruleDay(p.start, y) * 86400 + p.start.time - p.std;
  const e = ruleDay(p.end, y) * 86400 + p.end.time - p.dst;
  return [{ t: s, off: p.dst }, { t: e, off: p.std }].sort((a, b) => a.t - b.t);
}

function ruleOffsetAt(p, t) {
  if (!p.dst) return p.std;
  const y = new Date(t * 1000).getUTCFullYear();
  let off = null;
  for (const yy of [y - 1, y, y + 1])
    for (const tr of ruleTransitions(p, yy)) if (tr.t <= t) off = tr.off;
  return off;
}

// ---- one zone's compact form ----
function compact(z, allowDrop) {
  const offAt = (k) => z.offsets[z.idx[k]];
  let initial = z.offsets[0];
  const kept = [];
  for (let k = 0; k < z.times.length; ++k) {
    if (z.times[k] <= kStart) initial = offAt(k);
    else if (z.times[k] < kEnd) kept.push({ t: z.times[k], off: offAt(k) });
  }
  const rule = parsePosix(z.footer);
  // Drop trailing transitions that the rule reproduces.
  // A transition is redundant when the rule changes to the same offset at the same second and
  // has no other change between it and the next transition (a year without DST is not).
  const quietBetween = (a, b) => {
    if (!rule.dst) return true;
    const y0 = new Date(a * 1000).getUTCFullYear() - 1, y1 = new Date(b * 1000).getUTCFullYear() + 1;
    for (let y = y0; y <= y1; ++y)
      for (const tr of ruleTransitions(rule, y)) if (tr.t > a && tr.t < b) return false;
    return true;
  };
  let n = kept.length;
  while (allowDrop && n > 0) {
    const before = n >= 2 ? kept[n - 2].off : initial;
    const next = n < kept.length ? kept[n].t : kEnd;
    const t = kept[n - 1].t;
    if (ruleOffsetAt(rule, t) === kept[n - 1].off && ruleOffsetAt(rule, t - 1) === before && quietBetween(t, next)) --n;
    else break;
  }
  const ruleStart = n < kept.length ? kept[n].t : kEnd;
  const form = { initial, trans: kept.slice(0, n), ruleStart, rule, footer: z.footer };
  // Check: every kept-or-dropped transition, the second before it and the midpoints agree.
  const lookup = (t) => {
    if (t >= form.ruleStart) return ruleOffsetAt(rule, t);
    let off = form.initial;
    for (const tr of form.trans) if (tr.t <= t) off = tr.off;
    return off;
  };
  let prevOff = initial;
  for (let k = 0; k < kept.length; ++k) {
    const t = kept[k].t;
    const mid = k + 1 < kept.length ? Math.floor((t + kept[k + 1].t) / 2) : t + 86400;
    if (lookup(t) !== kept[k].off || lookup(t - 1) !== prevOff || lookup(mid) !== kept[k].off) {
      if (process.env.TZ_DEBUG) console.error(z.footer, k, kept.length, n, t, lookup(t), kept[k].off, lookup(t - 1), prevOff, lookup(mid));
      return null;
    }
    prevOff = kept[k].off;
  }
  return form;
}

function encode(form) {
  const bytes = [];
  const varint = (v) => {
    if (v < 0) throw new Error('negative varint');
    do { let b = v % 128; v = Math.floor(v / 128); bytes.push(v > 0 ? b | 128 : b); } while (v > 0);
  };
  const zigzag = (v) => varint(v >= 0 ? 2 * v : -2 * v - 1);
  const offs = [form.initial];
  for (const tr of form.trans) if (!offs.includes(tr.off)) offs.push(tr.off);
  varint(offs.length);
  for (const o of offs) zigzag(o);
  varint(form.trans.length);
  let last = kStart;
  for (const tr of form.trans) {
    // Most transitions are whole hours apart: 2 or 3 bytes instead of 4.
    const d = tr.t - last;
    varint(d % 3600 === 0 ? (d / 3600) * 2 : d * 2 + 1);
    varint(offs.indexOf(tr.off));
    last = tr.t;
  }
  varint(form.ruleStart - last);
  varint(form.footer.length);
  for (const c of form.footer) bytes.push(c.charCodeAt(0));
  return bytes;
}

// ---- walk the directory ----
const files = new Map();  // name -> real path
function walk(dir, prefix) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${ent.name}` : ent.name;
    if (!prefix && ['posix', 'right', 'posixrules', 'localtime', 'Factory'].includes(ent.name)) continue;
    const full = path.join(dir, ent.name);
    const st = fs.statSync(full);
    if (st.isDirectory()) walk(full, name);
    else if (st.isFile()) files.set(name, fs.realpathSync(full));
  }
}
walk(zoneDir, '');

const blob = [];
const blobIndex = new Map();  // encoded bytes (as string) -> offset in blob
const names = [];
for (const [name, real] of [...files.entries()].sort()) {
  const z = parseTzif(fs.readFileSync(real));
  if (!z) continue;
  const form = compact(z, true) ?? compact(z, false);
  if (!form) throw new Error(`time zone ${name}: the compact form does not reproduce the TZif data`);
  const bytes = encode(form);
  const key = bytes.join(',');
  if (!blobIndex.has(key)) { blobIndex.set(key, blob.length); blob.push(...bytes); }
  names.push({ name, off: blobIndex.get(key) });
}
names.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));

let out = '';
out += '// SPDX-License-Identifier: MIT\n';
out += `// GENERATED by scripts/gen_tzdata.mjs from ${zoneDir}: do not edit, do not commit.\n`;
out += '#include "core/temporal/internal/tz_data.h"\n\nnamespace cq::temporal::tzdata {\n\n';
out += `const unsigned char kBlob[] = {\n`;
for (let i = 0; i < blob.length; i += 24) out += blob.slice(i, i + 24).join(',') + ',\n';
out += '};\n';
out += `const char kNames[] =\n`;
for (const n of names) out += `    "${n.name}\\0"\n`;
out += ';\n';
out += `const uint32_t kZoneOffsets[] = {\n`;
for (let i = 0; i < names.length; i += 16) out += names.slice(i, i + 16).map((n) => n.off).join(',') + ',\n';
out += '};\n';
out += `const uint32_t kZoneCount = ${names.length};\n`;
out += `const uint32_t kBlobSize = ${blob.length};\n`;
out += '\n}  // namespace cq::temporal::tzdata\n';
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const tmp = outFile + '.tmp';
fs.writeFileSync(tmp, out);
fs.renameSync(tmp, outFile);
console.log(`gen_tzdata: ${names.length} names, ${blobIndex.size} distinct zones, ${blob.length} bytes of rules`);
