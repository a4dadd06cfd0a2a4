// SPDX-License-Identifier: MIT
// OPFS throughput and commit latency, measured in a dedicated worker through the public Engine API
// (storage 'opfs'): one change per transaction (applyChange) and batches in one transaction
// (applyChanges). Every applyChange/applyChanges returns after SQLite's commit, i.e. after the
// FileSystemSyncAccessHandle.flush() of the journal and the database.
import { Engine } from '../../../dist/index.js';

const room = (i, temp) => ({
  op: i < 0 ? 'update' : 'insert',
  element: { kind: 'node', source: 'S', id: `r${Math.abs(i)}`, labels: ['Room'], properties: { name: `room ${Math.abs(i)}`, temp } },
});

function summary(latencies, changes) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = latencies.reduce((a, b) => a + b, 0);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    commits: latencies.length,
    changes,
    changesPerSec: Math.round((changes / total) * 1000),
    p50Ms: +at(0.5).toFixed(3),
    p99Ms: +at(0.99).toFixed(3),
    maxMs: +sorted[sorted.length - 1].toFixed(3),
  };
}

self.onmessage = async ({ data }) => {
  try {
    const { rooms = 1000, single = 500, batches = 20, batchSize = 100, storage = 'opfs', archive = true, journalMode = 'WAL' } = data ?? {};
    // Start from an empty database: remove what an earlier run left in this origin's OPFS.
    const root = await navigator.storage.getDirectory();
    await root.removeEntry('cq-bench', { recursive: true }).catch(() => {});
    const opened = performance.now();
    const engine = await Engine.open({ storage, archive, path: 'bench.db', opfs: { directory: 'cq-bench', journalMode }, clock: 'manual' });
    const openMs = performance.now() - opened;
    engine.registerQuery({
      id: 'avg',
      cypher:
        'MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, avg(r.temp) AS avgTemp, count(r) AS rooms',
    });
    const setup = [];
    for (let f = 0; f < 10; f++) setup.push({ op: 'insert', element: { kind: 'node', source: 'S', id: `f${f}`, labels: ['Floor'], properties: { name: `F${f}` } } });
    for (let i = 0; i < rooms; i++) {
      setup.push(room(i, 20));
      setup.push({ op: 'insert', element: { kind: 'relation', source: 'S', id: `p${i}`, labels: ['PART_OF'], start: `r${i}`, end: `f${i % 10}`, properties: {} } });
    }
    engine.applyChanges(setup);
    let t = 0;
    const next = () => room(-(t % rooms), 21 + t++); // a new temperature every time: every change moves the average
    for (let i = 0; i < 100; i++) engine.applyChange(next()); // warm-up (JIT, page cache)

    const one = [];
    for (let i = 0; i < single; i++) {
      const c = next();
      const s = performance.now();
      const out = engine.applyChange(c);
      one.push(performance.now() - s);
      if (out[0].diffs.length !== 1) throw new Error('expected one aggregation diff per change');
    }
    const batched = [];
    for (let b = 0; b < batches; b++) {
      const batch = Array.from({ length: batchSize }, next);
      const s = performance.now();
      engine.applyChanges(batch);
      batched.push(performance.now() - s);
    }
    const check = engine.results('avg');
    engine.close();
    self.postMessage({
      journalMode,
      openMs: +openMs.toFixed(1),
      rooms,
      single: summary(one, single),
      batched: { ...summary(batched, batches * batchSize), batchSize },
      resultRows: check.length,
      roomsCounted: check.reduce((n, r) => n + r.rooms, 0),
    });
  } catch (e) {
    self.postMessage({ error: String(e?.stack ?? e) });
  }
};
