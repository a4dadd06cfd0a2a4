// SPDX-License-Identifier: MIT
// The public API of the npm package in Node: queries, diffs, errors, subscriptions, iterators,
// clocks, storage 'file' and 'sqlite' with snapshot/restore.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, CqError, CqParseError, CqInputError, CqMisuseError, CqStorageLockedError, CqSubscriberOverflowError, errorCodes } from '../../dist/index.js';
import { node, rel, insert, update, remove } from './helpers.mjs';

const roomQuery = { id: 'rooms', cypher: 'MATCH (r:Room) WHERE r.temp > 20 RETURN r.name AS name, r.temp AS temp' };
const avgQuery = {
  id: 'avg',
  cypher: 'MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, avg(r.temp) AS avgTemp',
};

test('applyChange returns each query\'s diffs and results() the current rows', async () => {
  const engine = await Engine.open();
  engine.registerQuery(roomQuery);
  let out = engine.applyChange(insert(node('r1', ['Room'], { name: 'A', temp: 22 })));
  assert.deepEqual(out, [{ query: 'rooms', diffs: [{ kind: 'add', after: { name: 'A', temp: 22 } }] }]);
  out = engine.applyChange(update(node('r1', ['Room'], { temp: 25 })));
  assert.deepEqual(out[0].diffs, [{ kind: 'update', before: { name: 'A', temp: 22 }, after: { name: 'A', temp: 25 } }]);
  engine.applyChange(insert(node('r2', ['Room'], { name: 'B', temp: 10 })));
  assert.deepEqual(engine.results('rooms'), [{ name: 'A', temp: 25 }]);
  out = engine.applyChange(remove(node('r1', ['Room'], {})));
  assert.deepEqual(out[0].diffs, [{ kind: 'remove', before: { name: 'A', temp: 25 } }]);
  assert.deepEqual(engine.queries().map((q) => q.id), ['rooms']);
  engine.removeQuery('rooms');
  assert.deepEqual(engine.queries(), []);
  engine.close();
});

test('applyChanges applies a batch in one call with one entry per query', async () => {
  const engine = await Engine.open();
  engine.registerQuery(avgQuery);
  const out = engine.applyChanges([
    insert(node('f1', ['Floor'], { name: 'F1' })),
    insert(node('r1', ['Room'], { temp: 20 })),
    insert(node('r2', ['Room'], { temp: 30 })),
    insert(rel('p1', 'PART_OF', 'r1', 'f1')),
    insert(rel('p2', 'PART_OF', 'r2', 'f1')),
  ]);
  assert.equal(out.length, 1);
  assert.deepEqual(engine.results('avg'), [{ floor: 'F1', avgTemp: 25 }]);
  const last = out[0].diffs.at(-1);
  assert.equal(last.kind, 'aggregation');
  assert.deepEqual(last.after, { floor: 'F1', avgTemp: 25 });
  engine.close();
});

test('applyEach gives the same diffs as one applyChange per change', async () => {
  const changes = [
    insert(node('f1', ['Floor'], { name: 'F1' })),
    insert(node('r1', ['Room'], { temp: 20 })),
    insert(rel('p1', 'PART_OF', 'r1', 'f1')),
    update(node('r1', ['Room'], { temp: 24 })),
    { op: 'bogus' },
    insert(node('r2', ['Room'], { temp: 30 })),
    insert(rel('p2', 'PART_OF', 'r2', 'f1')),
  ];
  const a = await Engine.open();
  const b = await Engine.open();
  a.registerQuery(avgQuery);
  b.registerQuery(avgQuery);
  const seen = [];
  b.subscribe('avg', (diffs) => seen.push(diffs));
  const one = changes.map((c) => {
    try {
      return a.applyChange(c);
    } catch (e) {
      return { error: e.code };
    }
  });
  const each = b.applyEach(changes).map((r) => (r.error ? { error: r.error.code } : r));
  assert.deepEqual(each, one);
  assert.equal(one[4].error, 'InvalidChange');
  assert.equal(seen.length, one.filter((r) => Array.isArray(r) && r[0].diffs.length).length);
  a.close();
  b.close();
});

test('errors are classes with a code, a name and details; parse errors carry line and column', async () => {
  const engine = await Engine.open();
  assert.throws(() => engine.registerQuery({ id: 'bad', cypher: 'MATCH (n:Room)\nRETURN n.name AS' }), (e) => {
    assert.ok(e instanceof CqParseError);
    assert.ok(e instanceof CqError);
    assert.equal(e.name, 'CqParseError');
    assert.equal(e.code, 'ParseError');
    assert.equal(e.line, 2);
    assert.ok(e.column > 0);
    return true;
  });
  engine.registerQuery(roomQuery);
  assert.throws(() => engine.registerQuery(roomQuery), (e) => e instanceof CqInputError && e.code === 'DuplicateQuery');
  assert.throws(() => engine.results('nope'), (e) => e instanceof CqInputError && e.code === 'UnknownQuery');
  assert.throws(() => engine.applyChange({ op: 'insert' }), (e) => e.code === 'InvalidChange' && e.name === 'CqInputError');
  // An empty ref passes the encoder's shape checks; the engine refuses it, and applies nothing of the batch.
  const room = (id) => ({ op: 'insert', element: { kind: 'node', source: 'bms', id, labels: ['Room'], properties: { name: id, temp: 30 } } });
  assert.throws(() => engine.applyChanges([room('ok1'), room('')]), (e) => e.code === 'InvalidChange' && /non-empty/.test(e.message));
  assert.equal(engine.results('rooms').length, 0);
  engine.applyChanges([room('ok1')]);
  assert.equal(engine.results('rooms').length, 1);
  assert.throws(() => engine.registerQuery({ id: 'f', cypher: 'MATCH (n) RETURN nosuch(n) AS x' }), (e) => e.code === 'UnknownFunction' && e.name === 'CqQueryError');
  assert.throws(() => engine.registerQuery({ id: 'w', cypher: 'MATCH (n:Room)\nWHERE count(n) > 1 RETURN n.name AS name' }),
    (e) => e.code === 'InvalidAggregation' && e.name === 'CqQueryError' && e.line === 2 && e.column === 7);
  assert.throws(() => engine.snapshot(), (e) => e instanceof CqMisuseError);
  engine.close();
  assert.throws(() => engine.results('rooms'), (e) => e instanceof CqMisuseError);
  // The generated table has every code of core/common/error_codes.def.
  const def = fs.readFileSync(new URL('../../core/common/error_codes.def', import.meta.url), 'utf8');
  const names = [...def.matchAll(/^CQ_ERROR\((\w+),\s*(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
  assert.ok(names.length > 10);
  for (const [name, number] of names) assert.equal(errorCodes[name].number, number);
});

test('a change one query rejects is reported for that query; the others proceed', async () => {
  const engine = await Engine.open();
  engine.registerQuery(roomQuery);
  engine.registerQuery({ id: 'div', cypher: 'MATCH (r:Room) RETURN r.name AS name, 10 / r.temp AS x' });
  const out = engine.applyChange(insert(node('r1', ['Room'], { name: 'A', temp: 'warm' })));
  const byQuery = Object.fromEntries(out.map((o) => [o.query, o]));
  assert.ok(byQuery.div.error instanceof CqError);
  assert.equal(byQuery.rooms.error, undefined);
  engine.close();
});

test('subscribers and iterators get every batch; a slow iterator stalls nobody and loses nothing', async () => {
  const engine = await Engine.open();
  engine.registerQuery(roomQuery);
  const fast = [];
  engine.subscribe('rooms', (diffs) => fast.push(...diffs));
  const slow = engine.changes('rooms');
  for (let i = 0; i < 500; i++) engine.applyChange(insert(node(`r${i}`, ['Room'], { name: `n${i}`, temp: 30 })));
  assert.equal(fast.length, 500); // delivered synchronously, while the iterator was never pulled
  let got = 0;
  for await (const diffs of slow) {
    got += diffs.length;
    if (got === 500) break;
  }
  assert.equal(got, 500);
  engine.close();
});

test('an iterator past its buffer bound delivers what it holds, then throws CqSubscriberOverflowError', async () => {
  const engine = await Engine.open();
  engine.registerQuery(roomQuery);
  const it = engine.changes('rooms', { bufferLimit: 10 });
  const other = engine.changes('rooms', { bufferLimit: 1000 });
  for (let i = 0; i < 15; i++) engine.applyChange(insert(node(`r${i}`, ['Room'], { name: `n${i}`, temp: 30 })));
  let delivered = 0;
  await assert.rejects(async () => {
    for await (const diffs of it) delivered += diffs.length;
  }, (e) => e instanceof CqSubscriberOverflowError && e.code === 'Misuse');
  assert.equal(delivered, 10);
  let otherCount = 0;
  for await (const diffs of other) {
    otherCount += diffs.length;
    if (otherCount === 15) break;
  }
  assert.equal(otherCount, 15);
  engine.close();
});

test('close() ends iterators', async () => {
  const engine = await Engine.open();
  engine.registerQuery(roomQuery);
  const it = engine.changes('rooms');
  const pending = it.next();
  engine.close();
  assert.deepEqual(await pending, { value: undefined, done: true });
});

const trueForQuery = {
  id: 'held',
  cypher: 'MATCH (d:Door) WHERE drasi.trueFor(d.open = true, duration({seconds: 5})) RETURN d.id AS door',
};

test('manual clock: futures fire only at advanceTime', async () => {
  const engine = await Engine.open({ clock: 'manual' });
  engine.registerQuery(trueForQuery);
  const t0 = 1_700_000_000_000;
  assert.deepEqual(engine.applyChange(insert(node('d1', ['Door'], { id: 'd1', open: true }, t0)))[0].diffs, []);
  assert.equal(engine.nextDueTime(), t0 + 5000);
  assert.deepEqual(engine.advanceTime(t0 + 4000)[0]?.diffs ?? [], []);
  const fired = engine.advanceTime(t0 + 5000);
  assert.deepEqual(fired[0].diffs, [{ kind: 'add', after: { door: 'd1' } }]);
  engine.close();
});

test('system clock: the engine fires futures on its own timer', async () => {
  const engine = await Engine.open();
  engine.registerQuery({ ...trueForQuery, cypher: trueForQuery.cypher.replace('seconds: 5', 'milliseconds: 150') });
  const got = new Promise((resolve) => engine.subscribe('held', resolve));
  const start = Date.now();
  engine.applyChange(insert(node('d1', ['Door'], { id: 'd1', open: true }, start)));
  const diffs = await got;
  assert.ok(Date.now() - start >= 140);
  assert.deepEqual(diffs, [{ kind: 'add', after: { door: 'd1' } }]);
  engine.close();
});

test('keepAlive: false unrefs the timer: a script that never closes its engine still exits', async () => {
  const { execFileSync } = await import('node:child_process');
  const entry = new URL('../../dist/index.js', import.meta.url).href;
  const script = `
    import { Engine } from ${JSON.stringify(entry)};
    const engine = await Engine.open({ keepAlive: false });
    engine.registerQuery(${JSON.stringify({ ...trueForQuery, cypher: trueForQuery.cypher.replace('seconds: 5', 'seconds: 60') })});
    engine.applyChange({ op: 'insert', element: { kind: 'node', source: 'S', id: 'd1', labels: ['Door'], properties: { id: 'd1', open: true }, effective_from: Date.now() } });
    console.log(engine.nextDueTime() > Date.now() + 50000 ? 'pending' : 'none');
  `;
  const start = Date.now();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(out.trim(), 'pending');
  assert.ok(Date.now() - start < 15000);
});

test("storage 'file' keeps the state on disk, in the native format", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-file-'));
  const db = path.join(dir, 'state.db');
  let engine = await Engine.open({ storage: 'file', path: db });
  engine.registerQuery(roomQuery);
  engine.applyChange(insert(node('r1', ['Room'], { name: 'A', temp: 22 })));
  engine.close();
  const header = fs.readFileSync(db).subarray(0, 16).toString('latin1');
  assert.equal(header, 'SQLite format 3\0');
  engine = await Engine.open({ storage: 'file', path: db });
  assert.deepEqual(engine.results('rooms'), [{ name: 'A', temp: 22 }]);
  const out = engine.applyChange(update(node('r1', ['Room'], { temp: 23 })));
  assert.equal(out[0].diffs[0].kind, 'update');
  engine.close();
  // The native CLI reads the same file when the native tree is built.
  const cli = new URL('../../build/native/cqlite', import.meta.url);
  if (fs.existsSync(cli)) {
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync(cli.pathname, ['results', '--db', db, 'rooms'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(text.trim()), { name: 'A', temp: 23 });
  }
  fs.rmSync(dir, { recursive: true });
});

test("storage 'file': one engine per file (lock file); a lock whose process is gone is taken over", async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-lock-'));
  const db = path.join(dir, 'state.db');
  const first = await Engine.open({ storage: 'file', path: db });
  first.registerQuery(roomQuery);
  await assert.rejects(Engine.open({ storage: 'file', path: db }), (e) => e instanceof CqStorageLockedError && e.code === 'StorageLocked');
  // Another process gets the same error, naming this process.
  const entry = new URL('../../dist/index.js', import.meta.url).href;
  const probe = `import { Engine } from ${JSON.stringify(entry)};
    try { await Engine.open({ storage: 'file', path: ${JSON.stringify(db)} }); console.log('opened'); }
    catch (e) { console.log(e.code + ' ' + (e.message.includes('process ${process.pid}') ? 'names-owner' : e.message)); }`;
  assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' }).trim(), 'StorageLocked names-owner');
  first.close();
  assert.ok(!fs.existsSync(db + '.cqlite-lock'), 'close() removes the lock file');
  // A process that opened the file and exited without close() leaves a stale lock: it is taken over.
  const crash = `import { Engine } from ${JSON.stringify(entry)};
    const e = await Engine.open({ storage: 'file', path: ${JSON.stringify(db)} });
    e.applyChange(${JSON.stringify(insert(node('r9', ['Room'], { name: 'Z', temp: 30 })))});
    process.exit(0);`;
  execFileSync(process.execPath, ['--input-type=module', '-e', crash]);
  assert.ok(fs.existsSync(db + '.cqlite-lock'), 'the exited process left its lock');
  const again = await Engine.open({ storage: 'file', path: db });
  assert.deepEqual(again.results('rooms'), [{ name: 'Z', temp: 30 }]);
  again.close();
  fs.rmSync(dir, { recursive: true });
});

test("storage 'sqlite': snapshot() bytes restore the whole state", async () => {
  const engine = await Engine.open({ storage: 'sqlite', clock: 'manual' });
  engine.registerQuery(avgQuery);
  engine.applyChanges([
    insert(node('f1', ['Floor'], { name: 'F1' })),
    insert(node('r1', ['Room'], { temp: 20 })),
    insert(rel('p1', 'PART_OF', 'r1', 'f1')),
  ]);
  const bytes = engine.snapshot();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(Buffer.from(bytes.subarray(0, 15)).toString(), 'SQLite format 3');
  engine.applyChange(update(node('r1', ['Room'], { temp: 40 })));
  const copy = await Engine.open({ storage: 'sqlite', snapshot: bytes, clock: 'manual' });
  assert.deepEqual(copy.results('avg'), [{ floor: 'F1', avgTemp: 20 }]);
  const out = copy.applyChange(insert(node('r2', ['Room'], { temp: 30 })));
  assert.deepEqual(out[0].diffs, []);
  const out2 = copy.applyChange(insert(rel('p2', 'PART_OF', 'r2', 'f1')));
  assert.deepEqual(out2[0].diffs[0].after, { floor: 'F1', avgTemp: 25 });
  engine.restore(bytes);
  assert.deepEqual(engine.results('avg'), [{ floor: 'F1', avgTemp: 20 }]);
  await assert.rejects(Engine.open({ storage: 'sqlite', snapshot: new Uint8Array([1, 2, 3]) }), (e) => e instanceof CqError && e.name === 'CqStorageError');
  engine.close();
  copy.close();
});
