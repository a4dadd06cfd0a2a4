// SPDX-License-Identifier: MIT
// Runs conformance scenarios in a dedicated worker on SQLite over OPFS: the "opfs-sah" VFS and its
// slot pool, the same runner (cq_scenario_run) and the same PASS/FAIL contract as `cqlite scenario`.
// Each scenario gets a fresh database file in the pool, removed after the run; journal_mode as the
// package's default for OPFS (WAL, with the VFS's in-heap WAL index).
import { Native } from '../../../dist/native.js';
import { openOpfsPool } from '../../../dist/opfs/sah_pool.js';

self.onmessage = async ({ data }) => {
  try {
    const pool = await openOpfsPool({ directory: 'cq-conformance', capacity: 6 });
    try {
      const native = await Native.load({ sahPool: pool });
      const options = JSON.stringify({
        storage: 'sqlite',
        path: '/scenario.db',
        vfs: 'opfs-sah',
        journal_mode: data.journalMode,
        known: data.known,
        pending: data.pending,
      });
      const results = [];
      const started = performance.now();
      for (const file of data.files) {
        try {
          results.push(native.scenario(file.text, file.name, options));
        } catch (e) {
          results.push({ name: file.name, status: 'FAIL', message: String(e?.message ?? e) });
        }
      }
      self.postMessage({ results, ms: performance.now() - started, stats: { ...pool.stats }, leftOver: pool.files() });
    } finally {
      pool.close();
    }
  } catch (e) {
    self.postMessage({ error: String(e?.stack ?? e) });
  }
};
