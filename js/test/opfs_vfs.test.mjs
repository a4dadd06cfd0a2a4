// SPDX-License-Identifier: MIT
// The "opfs-sah" SQLite VFS and its slot pool, run in Node over fs-backed stand-ins for OPFS
// SyncAccessHandles: persistence across reopen, and quota exhaustion (StorageFull, nothing
// committed lost). The browser test (js/test/browser) runs the same code over real OPFS.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, CqStorageFullError } from '../../dist/index.js';
import { FsSyncHandle, node, insert, update } from './helpers.mjs';

const query = { id: 'rooms', cypher: 'MATCH (r:Room) RETURN r.name AS name, r.note AS note' };

function openHandles(dir, count, quota) {
  return Array.from({ length: count }, (_, i) => new FsSyncHandle(path.join(dir, `slot-${i}`), quota));
}

test('opfs-sah: the database survives closing and reopening the pool', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-sah-'));
  let engine = await Engine.open({ storage: 'opfs', opfs: { handles: openHandles(dir, 6) } });
  engine.registerQuery(query);
  for (let i = 0; i < 50; i++) engine.applyChange(insert(node(`r${i}`, ['Room'], { name: `n${i}`, note: 'x' })));
  engine.close();
  // Slot files hold a 4096-byte header naming the SQLite file, then the database itself.
  const slots = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)));
  const db = slots.find((b) => b.subarray(0, 10).toString() === '/cqlite.db');
  assert.ok(db, 'a slot holds /cqlite.db');
  assert.equal(db.subarray(4096, 4096 + 15).toString(), 'SQLite format 3');
  engine = await Engine.open({ storage: 'opfs', opfs: { handles: openHandles(dir, 6) } });
  assert.equal(engine.results('rooms').length, 50);
  engine.close();
  fs.rmSync(dir, { recursive: true });
});

test('opfs-sah: a full quota gives CqStorageFullError and loses no committed change', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-quota-'));
  const used = () => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const quota = { limit: 400 * 1024, used };
  const engine = await Engine.open({ storage: 'opfs', opfs: { handles: openHandles(dir, 6, quota) } });
  engine.registerQuery(query);
  const big = 'x'.repeat(4000);
  let committed = 0;
  let failure;
  for (let i = 0; i < 1000 && !failure; i++) {
    try {
      engine.applyChange(insert(node(`r${i}`, ['Room'], { name: `n${i}`, note: big })));
      committed++;
    } catch (e) {
      failure = e;
    }
  }
  assert.ok(failure instanceof CqStorageFullError, `expected StorageFull, got ${failure}`);
  assert.equal(failure.code, 'StorageFull');
  assert.ok(committed > 10);
  // The engine stays usable: committed rows are all there and a small change still fits.
  assert.equal(engine.results('rooms').length, committed);
  engine.close();
  quota.limit = Infinity;
  const again = await Engine.open({ storage: 'opfs', opfs: { handles: openHandles(dir, 6) } });
  assert.equal(again.results('rooms').length, committed);
  again.applyChange(update(node('r0', ['Room'], { note: 'small' })));
  assert.equal(again.results('rooms').find((r) => r.name === 'n0').note, 'small');
  again.close();
  fs.rmSync(dir, { recursive: true });
});

test('opfs-sah: WAL by default (no flush per commit); an engine never closed loses no committed change', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-wal-'));
  let flushes = 0;
  const counting = () => openHandles(dir, 6).map((h) => Object.assign(h, { flush() { flushes++; FsSyncHandle.prototype.flush.call(h); } }));
  const crashed = await Engine.open({ storage: 'opfs', clock: 'manual', opfs: { handles: counting() } });
  crashed.registerQuery(query);
  crashed.applyChange(insert(node('r0', ['Room'], { name: 'n0', note: 'x' })));
  flushes = 0;
  for (let i = 1; i < 40; i++) crashed.applyChange(insert(node(`r${i}`, ['Room'], { name: `n${i}`, note: 'x' })));
  assert.equal(flushes, 0, 'a WAL commit does not flush');
  const names = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)).subarray(0, 64).toString().replace(/\0.*$/s, ''));
  assert.ok(names.includes('/cqlite.db-wal'), `a slot holds the WAL (${names})`);
  // No close(): as if the worker had been killed. A new module instance recovers from the WAL.
  const again = await Engine.open({ storage: 'opfs', clock: 'manual', opfs: { handles: openHandles(dir, 6) } });
  assert.equal(again.results('rooms').length, 40);
  again.applyChange(update(node('r0', ['Room'], { note: 'after' })));
  again.close();
  const last = await Engine.open({ storage: 'opfs', opfs: { handles: openHandles(dir, 6) } });
  assert.equal(last.results('rooms').find((r) => r.name === 'n0').note, 'after');
  last.close();
  fs.rmSync(dir, { recursive: true });
});

test("opfs-sah: journalMode 'TRUNCATE' flushes at every commit and keeps no WAL", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-trunc-'));
  let flushes = 0;
  const handles = openHandles(dir, 6).map((h) => Object.assign(h, { flush() { flushes++; FsSyncHandle.prototype.flush.call(h); } }));
  const engine = await Engine.open({ storage: 'opfs', clock: 'manual', opfs: { handles, journalMode: 'TRUNCATE' } });
  engine.registerQuery(query);
  engine.applyChange(insert(node('r0', ['Room'], { name: 'n0', note: 'x' })));
  flushes = 0;
  for (let i = 1; i <= 10; i++) engine.applyChange(insert(node(`r${i}`, ['Room'], { name: `n${i}`, note: 'x' })));
  assert.ok(flushes >= 10, `at least one flush per commit (${flushes})`);
  const names = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)).subarray(0, 64).toString().replace(/\0.*$/s, ''));
  assert.ok(!names.includes('/cqlite.db-wal'));
  engine.close();
  fs.rmSync(dir, { recursive: true });
});
