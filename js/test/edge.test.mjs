// SPDX-License-Identifier: MIT
// Edge mode: a Node worker thread that is given the .wasm bytes, loads the module from them and runs
// SQLite in memory with snapshot()/restore(), while every fs entry point throws: nothing may touch
// the file system (as in an edge function, which has none).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

const workerSource = `
import { parentPort, workerData } from 'node:worker_threads';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
// The package's JavaScript is loaded first (an edge runtime bundles it; Node's own module loader
// reads files with fs), then every fs function throws: from here on the module must load from the
// bytes it is given and keep its state in memory.
const { Engine } = await import(workerData.entry);
const touched = [];
for (const target of [fs, fsp]) {
  for (const key of Object.keys(target)) {
    if (typeof target[key] === 'function' && !/^[A-Z]/.test(key)) {
      target[key] = (...args) => { touched.push(key); throw new Error('fs.' + key + ' called in edge mode'); };
    }
  }
}
const insert = (id, temp) => ({ op: 'insert', element: { kind: 'node', source: 'S', id, labels: ['Room'], properties: { temp } } });
const engine = await Engine.open({ storage: 'sqlite', wasmBinary: workerData.wasm, clock: 'manual' });
engine.registerQuery({ id: 'hot', cypher: 'MATCH (r:Room) WHERE r.temp > 25 RETURN count(r) AS n' });
engine.applyChange(insert('a', 30));
const bytes = engine.snapshot();
engine.close();
const restored = await Engine.open({ storage: 'sqlite', wasmBinary: workerData.wasm, snapshot: bytes, clock: 'manual' });
const diffs = restored.applyChange(insert('b', 31))[0].diffs;
parentPort.postMessage({ touched, size: bytes.length, diffs, results: restored.results('hot') });
restored.close();
`;

test('edge: module from bytes in a worker, SQLite in memory, snapshot/restore, no fs', async () => {
  const wasm = fs.readFileSync(new URL('../../dist/wasm/cqlite.wasm', import.meta.url));
  const entry = new URL('../../dist/index.js', import.meta.url).href;
  const worker = new Worker(new URL('data:text/javascript,' + encodeURIComponent(workerSource)), {
    workerData: { wasm, entry },
  });
  const msg = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.deepEqual(msg.touched, []);
  assert.ok(msg.size >= 4096);
  assert.deepEqual(msg.results, [{ n: 2 }]);
  assert.deepEqual(msg.diffs, [{ kind: 'aggregation', before: { n: 1 }, after: { n: 2 }, grouping_keys: [] }]);
});
