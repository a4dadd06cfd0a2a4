// SPDX-License-Identifier: MIT
// Figures of the npm package in Node (issue 6, item 7): module size raw and gzipped, the time from
// loading the module to the first result (in a fresh process), and the memory a 100,000-room graph
// (100,000 rooms, 1,000 floors, 100,000 relations, applied in batches of CQ_BATCH=1000 changes)
// takes (the wasm heap, which never shrinks, so its size is the peak). Writes build/wasm/js-measure.json.
//   node js/bench/measure.mjs [rooms]        (after bash scripts/build.sh js)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rooms = Number(process.argv[2] ?? 100_000);
const dist = path.join(root, 'dist');

if (process.env.CQ_MEASURE_CHILD === 'first') {
  const t0 = performance.now();
  const { Engine } = await import(path.join(dist, 'index.js'));
  const t1 = performance.now();
  const engine = await Engine.open({ clock: 'manual' });
  const t2 = performance.now();
  engine.registerQuery({ id: 'q', cypher: 'MATCH (r:Room) WHERE r.temp > 20 RETURN r.name AS name' });
  const out = engine.applyChange({ op: 'insert', element: { kind: 'node', source: 's', id: 'r', labels: ['Room'], properties: { name: 'a', temp: 21 } } });
  const t3 = performance.now();
  if (out[0].diffs.length !== 1) throw new Error('no first result');
  console.log(JSON.stringify({ importMs: t1 - t0, openMs: t2 - t1, firstResultMs: t3 - t2, totalMs: t3 - t0 }));
  process.exit(0);
}

if (process.env.CQ_MEASURE_CHILD === 'memory') {
  const { Engine } = await import(path.join(dist, 'index.js'));
  const storage = process.env.CQ_STORAGE;
  const engine = await Engine.open({ storage, clock: 'manual', archive: process.env.CQ_ARCHIVE !== '0' });
  const heap = () => engine['native'].module.HEAPU8.length;
  const before = heap();
  engine.registerQuery({ id: 'avg', cypher: 'MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, avg(r.temp) AS avgTemp' });
  const floors = Math.max(1, Math.round(rooms / 100));
  const t0 = performance.now();
  const batch = [];
  const flush = () => { engine.applyChanges(batch); batch.length = 0; };
  for (let f = 0; f < floors; f++) batch.push({ op: 'insert', element: { kind: 'node', source: 's', id: `f${f}`, labels: ['Floor'], properties: { name: `F${f}` } } });
  for (let i = 0; i < rooms; i++) {
    batch.push({ op: 'insert', element: { kind: 'node', source: 's', id: `r${i}`, labels: ['Room'], properties: { name: `room ${i}`, temp: 20 + (i % 10) } } });
    batch.push({ op: 'insert', element: { kind: 'relation', source: 's', id: `p${i}`, labels: ['PART_OF'], start: `r${i}`, end: `f${i % floors}`, properties: {} } });
    if (batch.length >= Number(process.env.CQ_BATCH ?? 1000)) flush();
  }
  flush();
  const loadMs = performance.now() - t0;
  const rows = engine.results('avg').length;
  console.log(JSON.stringify({ storage, archive: process.env.CQ_ARCHIVE !== '0', rooms, floors, rows, loadMs: Math.round(loadMs),
    wasmHeapBeforeMiB: +(before / 2 ** 20).toFixed(1), wasmHeapMiB: +(heap() / 2 ** 20).toFixed(1), rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1) }));
  process.exit(0);
}

const wasm = fs.readFileSync(path.join(dist, 'wasm/cqlite.wasm'));
const glue = fs.readFileSync(path.join(dist, 'wasm/cqlite.mjs'));
const size = {
  wasmBytes: wasm.length,
  wasmGzipBytes: zlib.gzipSync(wasm, { level: 9 }).length,
  glueBytes: glue.length,
  glueGzipBytes: zlib.gzipSync(glue, { level: 9 }).length,
};
const child = (env) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(rooms)], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim());
const first = [0, 1, 2].map(() => child({ CQ_MEASURE_CHILD: 'first' }));
const memory = [
  child({ CQ_MEASURE_CHILD: 'memory', CQ_STORAGE: 'memory' }),
  child({ CQ_MEASURE_CHILD: 'memory', CQ_STORAGE: 'sqlite' }),
  child({ CQ_MEASURE_CHILD: 'memory', CQ_STORAGE: 'sqlite', CQ_ARCHIVE: '0' }),
];
const result = { measuredAt: new Date().toISOString(), node: process.version, size, firstResult: first, memory };
console.log(JSON.stringify(result, null, 2));
if (fs.existsSync(path.join(root, 'build/wasm'))) fs.writeFileSync(path.join(root, 'build/wasm/js-measure.json'), JSON.stringify(result, null, 2) + '\n');
