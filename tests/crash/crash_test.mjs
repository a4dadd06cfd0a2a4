// SPDX-License-Identifier: MIT
// Crash safety: kills `cqlite run --db` with SIGKILL at random points while it ingests a stream,
// at least 20 times. After each kill the reopened database must equal a from-scratch evaluation of
// exactly the prefix it says it committed (its checkpoint), and resuming must give the same final
// results as an uninterrupted run.
//   node tests/crash/crash_test.mjs path/to/cqlite [kills=20] [changes=30000]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [cqlite, killsArg = '20', changesArg = '30000'] = process.argv.slice(2);
if (!cqlite) { console.error('usage: crash_test.mjs CQLITE [kills] [changes]'); process.exit(2); }
const kills = Number(killsArg), total = Number(changesArg);
const dir = mkdtempSync(path.join(tmpdir(), 'cqlite-crash-'));
const query = path.join(dir, 'query.cypher'), changes = path.join(dir, 'changes.jsonl'), db = path.join(dir, 'state.db');

// A deterministic stream: floors, rooms and PART_OF relations, then updates, deletes and re-inserts.
let seed = 12345;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const lines = [];
const node = (op, id, labels, properties, t) => ({ op, element: { kind: 'node', source: 's', id, labels, effective_from: t, properties } });
let t = 1000;
for (let f = 0; f < 20; f++) lines.push(node('insert', `f${f}`, ['Floor'], { name: `floor ${f}` }, t++));
for (let r = 0; r < 400; r++) {
  lines.push(node('insert', `r${r}`, ['Room'], { temp: 60 + rand(30) }, t++));
  lines.push({ op: 'insert', element: { kind: 'relation', source: 's', id: `p${r}`, labels: ['PART_OF'], start: `r${r}`, end: `f${r % 20}`, effective_from: t++, properties: {} } });
}
while (lines.length < total) {
  const r = rand(400), k = rand(20);
  if (k === 0) lines.push(node('delete', `r${r}`, ['Room'], {}, t++));
  else if (k === 1) lines.push(node('insert', `r${r}`, ['Room'], { temp: 60 + rand(30) }, t++));
  else lines.push(node('update', `r${r}`, ['Room'], { temp: 60 + rand(30) }, t++));
}
writeFileSync(query, 'MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, avg(r.temp) AS t, count(r) AS n');
writeFileSync(changes, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

const run = (args) => {
  const r = spawnSync(cqlite, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`cqlite ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};
// Before the registration commits, `results` names an unknown query: only allowed at checkpoint 0.
const runOrEmpty = (k, args) => {
  const r = spawnSync(cqlite, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status === 0) return r.stdout;
  if (k === 0 && /UnknownQuery/.test(r.stderr + r.stdout)) return '';
  throw new Error(`cqlite ${args.join(' ')} failed: ${r.stderr}`);
};
const rows = (text) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const key = (row) => JSON.stringify(Object.keys(row).sort().map((k) => [k, typeof row[k] === 'number' ? Math.round(row[k] * 1e9) / 1e9 : row[k]]));
const same = (a, b) => {
  const x = a.map(key).sort(), y = b.map(key).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const reference = (n) => rows(run(['run', '--query', query, '--changes', changes, '--storage', 'memory', '--quiet', '--print-results', '--limit', String(n)]));

const full = reference(total);
const checkpoints = [];
let failures = 0;
for (let i = 0; i < kills; i++) {
  for (const f of [db, db + '-wal', db + '-shm', db + '-journal']) if (existsSync(f)) rmSync(f);
  // Odd kills fold the SQLite journal every 64 KiB (about 300 changes), so kills land in folds
  // too; even ones keep the default (no fold in a stream this short: the journal is replayed).
  const fold = i % 2 === 1 ? ['--fold-bytes', '65536'] : [];
  const child = spawn(cqlite, ['run', '--query', query, '--changes', changes, '--db', db, '--quiet', ...fold], { stdio: 'ignore' });
  // Every fourth kill lands in the first 30 ms: before or during the schema and the registration.
  const delay = i % 4 === 3 ? rand(30) : 30 + rand(600);
  await new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
  const k = Number(run(['results', '--db', db, '--checkpoint']).trim());
  checkpoints.push(k);
  // Killed before the query's registration committed: nothing is stored, which is the empty prefix.
  const stored = rows(runOrEmpty(k, ['results', '--db', db, 'q']));
  if (!same(stored, reference(k))) {
    failures++;
    console.error(`kill ${i + 1}: the database after ${k} committed changes differs from a from-scratch run of that prefix`);
  }
  run(['run', '--query', query, '--changes', changes, '--db', db, '--quiet', ...fold]);
  if (!same(rows(run(['results', '--db', db, 'q'])), full)) {
    failures++;
    console.error(`kill ${i + 1}: resuming after change ${k} did not reach the uninterrupted final result`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`crash test: ${kills} SIGKILLs at committed prefixes [${checkpoints.join(', ')}] of ${total}; ${failures} inconsistencies`);
process.exit(failures ? 1 : 0);
