// SPDX-License-Identifier: MIT
// cqlite: continuous Cypher queries with incremental result diffs, in WebAssembly.
// This entry runs in Node, edge runtimes and workers; browsers also get ./browser.js (WorkerEngine).
export { Engine } from './engine.js';
export type { EngineOptions, ChangesOptions, DiffCallback } from './engine.js';
export * from './errors.js';
export type * from './types.js';
export type { OpfsPoolOptions, SyncHandle } from './opfs/sah_pool.js';
