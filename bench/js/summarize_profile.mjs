// SPDX-License-Identifier: MIT
// Self time per function of a .cpuprofile (node --cpu-prof), and the share of wasm, JS and GC:
//   node bench/js/summarize_profile.mjs FILE [TOP=40]
import fs from 'node:fs';

const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 40);
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const self = new Map();
const kinds = { wasm: 0, js: 0, gc: 0, idle: 0, other: 0 };
let total = 0;
for (const n of p.nodes) {
  const t = dt.get(n.id) ?? 0;
  total += t;
  const f = n.callFrame;
  const file = f.url.split('/').pop();
  const key = `${f.functionName || '(anonymous)'}  ${file}${file ? ':' + (f.lineNumber + 1) : ''}`;
  self.set(key, (self.get(key) ?? 0) + t);
  if (f.url.startsWith('wasm://') || /wasm-function|\.wasm/.test(key)) kinds.wasm += t;
  else if (f.functionName === '(garbage collector)') kinds.gc += t;
  else if (f.functionName === '(idle)' || f.functionName === '(program)') kinds.idle += t;
  else if (f.url) kinds.js += t;
  else kinds.other += t;
}
// Short names: C++ template arguments and parameter lists dropped.
const shorten = (k) => {
  let s = k, prev;
  do { prev = s; s = s.replace(/<[^<>]*>/g, ''); } while (s !== prev);
  return s.replace(/\([^()]*\)/g, '()').replace(/nlohmann::json_abi_v[0-9_]+::/g, 'nlohmann::').replace(/std::__2::/g, 'std::');
};
// Where the time goes: the JSON boundary (C++ and JS sides), the allocator, the engine, the rest.
const group = (k) => {
  if (/nlohmann|changeFromJson|valueToJson|toJson|outputsJson|cq_apply|dump_escaped|__floatscan|strtod/.test(k)) return 'JSON in wasm (nlohmann parse/build/dump)';
  if (/stringToUTF8|lengthBytesUTF8|UTF8ArrayToString|UTF8ToString|parse  native|apply.*engine\.js|applyEach|applyChange|applyChanges|toQueryDiffs|withStrings|alloc  native/.test(k)) return 'JS side of the crossing (stringify, UTF-8 copy, JSON.parse)';
  if (/dlmalloc|dlfree|operator new|operator delete|^free |^malloc /.test(k)) return 'malloc/free (wasm)';
  if (/garbage collector/.test(k)) return 'JS GC';
  if (/cq::|std::/.test(k) || /wasm-function/.test(k)) return 'engine and std (wasm)';
  return 'other';
};
const groups = new Map();
for (const [k, t] of self) groups.set(group(k), (groups.get(group(k)) ?? 0) + t);
const pct = (t) => ((t / total) * 100).toFixed(1).padStart(5) + '%';
console.log(`total ${(total / 1e3).toFixed(0)} ms: ` + Object.entries(kinds).map(([k, t]) => `${k} ${pct(t).trim()}`).join(', '));
for (const [g, t] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${pct(t)} ${(t / 1e3).toFixed(0).padStart(6)} ms  [${g}]`);
console.log('');
const shortSelf = new Map();
for (const [k, t] of self) shortSelf.set(shorten(k), (shortSelf.get(shorten(k)) ?? 0) + t);
for (const [k, t] of [...shortSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)} ${(t / 1e3).toFixed(0).padStart(6)} ms  ${k}`);
