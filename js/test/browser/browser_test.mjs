// SPDX-License-Identifier: MIT
// The package in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core), with the
// engine in a dedicated worker on SQLite over OPFS ("opfs-sah" VFS):
//   1. a conformance subset, with the PASS/FAIL contract of `cqlite scenario`;
//   2. persistence: a page reload (the worker is killed, no close()), a second tab (typed
//      StorageLocked error with lock 'fail'; with lock 'wait' it opens once the first tab closes),
//      and a browser restart with the same profile; the database file is then checked outside the
//      browser (SQLite integrity_check, and the native CLI reads it when build/native exists);
//   3. OPFS figures: changes/s and commit latency p50/p99, one change per transaction and batched,
//      printed and written to build/wasm/opfs-bench.json.
// Run from the repository root after `bash scripts/build.sh js`: node js/test/browser/browser_test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const executablePath = process.env.CQ_CHROMIUM ?? '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const scenarioDir = path.join(root, '..', 'shared', 'conformance', 'scenarios');
// A subset covering aggregates, 1-hop matches, OPTIONAL MATCH, time-based functions (futures
// fired by the runner's clock), middleware and boolean logic.
const subset = [
  'building_comfort.json',
  'collect_aggregation__simple_aggregation_test.json',
  'future_aggregations__truefor_sum.json',
  'crosses_above_and_stays_above.json',
  'optional_match__optional_match_aggregating.json',
  'promote__basic_promotion.json',
  'logical_conditions.json',
  'min_value.json',
];

const started = Date.now();
const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

for (const f of [path.join(root, 'dist/browser.js'), path.join(root, 'dist/wasm/cqlite.wasm')]) {
  assert.ok(fs.existsSync(f), `${f} is missing: run bash scripts/build.sh js first`);
}
assert.ok(fs.existsSync(executablePath), `${executablePath} is missing: run scripts/setup.sh (apt-get install chromium)`);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-chromium-'));
const site = await serve(root);
const pageUrl = `${site.url}/js/test/browser/index.html`;
let context;

const launch = () => chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args });

async function openPage(ctx, label) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log(`  [${label} pageerror] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.log(`  [${label} console.${m.type()}] ${m.text()}`);
  });
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.pageReady === true);
  return page;
}

const room = (i, temp) => ({ op: 'insert', element: { kind: 'node', source: 'S', id: `r${i}`, labels: ['Room'], properties: { name: `room ${i}`, temp } } });
const byName = (rows) => [...rows].sort((a, b) => a.name.localeCompare(b.name));
const expected = new Map(Array.from({ length: 20 }, (_, i) => [`room ${i}`, 20 + i]));
const expectedRows = () => byName([...expected].map(([name, temp]) => ({ name, temp })));

try {
  context = await launch();
  let page = await openPage(context, 'tab1');
  step(`Chromium ${context.browser()?.version() ?? ''} up, page ${pageUrl}`);

  // 1. Conformance subset on OPFS, same contract and lists as the CLI.
  const files = subset.map((f) => ({ name: f.replace(/\.json$/, ''), text: fs.readFileSync(path.join(scenarioDir, f), 'utf8') }));
  const known = JSON.parse(fs.readFileSync(path.join(root, 'tests/known-differences.json'), 'utf8'));
  const pending = fs.readFileSync(path.join(root, 'tests/pending.txt'), 'utf8').split('\n')
    .map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  const conf = await page.evaluate((msg) => window.runWorker('./scenario_worker.mjs', msg), { files, known, pending, journalMode: 'WAL' });
  let passed = 0;
  let failed = 0;
  for (const r of conf.results) {
    if (r.status === 'PASS') passed++;
    if (r.status === 'FAIL') failed++;
    console.log(r.status === 'PASS' ? `PASS ${r.name}` : r.status === 'PENDING' ? `PENDING ${r.name}` : `${r.status} ${r.name}: ${r.message}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  step(`conformance subset on OPFS in ${conf.ms.toFixed(0)} ms (VFS: ${conf.stats.writes} writes, ${conf.stats.syncs} flushes)`);
  assert.equal(failed, 0, 'conformance failures in the browser');
  assert.equal(passed, subset.filter((f) => !pending.includes(f.replace(/\.json$/, ''))).length);
  assert.ok(conf.stats.writes > 0 && conf.stats.syncs > 0, 'the scenarios really wrote to OPFS');
  assert.deepEqual(conf.leftOver, [], 'every scenario database was removed from the pool');

  // WorkerEngine iterators: a consumer past its bufferLimit gets everything it buffered, then
  // CqSubscriberOverflowError; another consumer of the same query loses nothing.
  const overflow = await page.evaluate(async (changes) => {
    const e = await window.cqlite.WorkerEngine.open({ clock: 'manual' });
    await e.registerQuery({ id: 'q', cypher: 'MATCH (r:Room) RETURN r.name AS name' });
    const small = e.changes('q', { bufferLimit: 5 });
    const big = e.changes('q');
    for (const c of changes) await e.applyChange(c);
    let delivered = 0;
    let error;
    try {
      for await (const d of small) delivered += d.length;
    } catch (err) {
      error = window.describeError(err);
    }
    let other = 0;
    for await (const d of big) if ((other += d.length) === changes.length) break;
    await e.close();
    return { delivered, error, other };
  }, Array.from({ length: 8 }, (_, i) => room(i, 20)));
  assert.equal(overflow.delivered, 5);
  assert.equal(overflow.error?.name, 'CqSubscriberOverflowError');
  assert.equal(overflow.error?.code, 'Misuse');
  assert.equal(overflow.other, 8);

  // 2a. A database in OPFS through WorkerEngine; diffs reach subscribers on the page.
  const first = await page.evaluate(async (changes) => {
    const { WorkerEngine } = window.cqlite;
    const e = (window.engine = await WorkerEngine.open({ storage: 'opfs', path: 'app.db', opfs: { directory: 'cq-persist' } }));
    await e.registerQuery({ id: 'rooms', cypher: 'MATCH (r:Room) RETURN r.name AS name, r.temp AS temp' });
    let seen = 0;
    e.subscribe('rooms', (diffs) => (seen += diffs.length));
    await e.applyChanges(changes.slice(0, 10)); // one transaction
    for (const c of changes.slice(10)) await e.applyChange(c); // one transaction each
    return { seen, results: await e.results('rooms') };
  }, Array.from({ length: 20 }, (_, i) => room(i, 20 + i)));
  assert.equal(first.seen, 20);
  assert.deepEqual(byName(first.results), expectedRows());
  step('20 rooms written to OPFS; reloading the page without closing the engine');

  // 2b. Page reload: the worker dies without close(); every committed change is there.
  await page.reload();
  await page.waitForFunction(() => window.pageReady === true);
  const afterReload = await page.evaluate(async () => {
    const { WorkerEngine } = window.cqlite;
    const e = (window.engine = await WorkerEngine.open({ storage: 'opfs', path: 'app.db', opfs: { directory: 'cq-persist', lock: 'wait' } }));
    const results = await e.results('rooms');
    const out = await e.applyChange({ op: 'update', element: { kind: 'node', source: 'S', id: 'r0', labels: ['Room'], properties: { temp: 99 } } });
    return { results, queries: (await e.queries()).map((q) => q.id), diffs: out[0].diffs };
  });
  assert.deepEqual(afterReload.queries, ['rooms']);
  assert.deepEqual(byName(afterReload.results), expectedRows());
  assert.deepEqual(afterReload.diffs, [{ kind: 'update', before: { name: 'room 0', temp: 20 }, after: { name: 'room 0', temp: 99 } }]);
  expected.set('room 0', 99);
  step('reload: state intact; opening a second tab on the same database');

  // 2c. A second tab: lock 'fail' gives the typed error at once; lock 'wait' waits for the first.
  const tab2 = await openPage(context, 'tab2');
  const refused = await tab2.evaluate(async () => {
    try {
      await window.cqlite.WorkerEngine.open({ storage: 'opfs', path: 'app.db', opfs: { directory: 'cq-persist' } });
      return { opened: true };
    } catch (e) {
      return window.describeError(e);
    }
  });
  assert.deepEqual(refused, { name: 'CqStorageLockedError', code: 'StorageLocked', isCqError: true, isLocked: true, message: refused.message });
  await tab2.evaluate(() => {
    window.waiting = window.cqlite.WorkerEngine.open({ storage: 'opfs', path: 'app.db', opfs: { directory: 'cq-persist', lock: 'wait' } })
      .then((e) => { window.engine = e; window.openedAt = Date.now(); });
  });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await tab2.evaluate(() => window.openedAt), undefined, 'tab 2 must wait while tab 1 holds the database');
  const closedAt = await page.evaluate(async () => {
    await window.engine.applyChange({ op: 'update', element: { kind: 'node', source: 'S', id: 'r1', labels: ['Room'], properties: { temp: 77 } } });
    await window.engine.close();
    return Date.now();
  });
  expected.set('room 1', 77);
  const tab2View = await tab2.evaluate(async () => {
    await window.waiting;
    const e = window.engine;
    const results = await e.results('rooms');
    await e.applyChange({ op: 'insert', element: { kind: 'node', source: 'S', id: 'r20', labels: ['Room'], properties: { name: 'room 20', temp: 5 } } });
    return { results, openedAt: window.openedAt };
  });
  assert.ok(tab2View.openedAt >= closedAt, 'tab 2 opened only after tab 1 closed');
  assert.deepEqual(byName(tab2View.results), expectedRows());
  expected.set('room 20', 5);
  step(`second tab: StorageLocked with lock 'fail'; with lock 'wait' it opened ${tab2View.openedAt - closedAt} ms after tab 1 closed`);

  // 2d. Browser restart with the same profile, tab 2's engine still open (never closed).
  await context.close();
  context = await launch();
  page = await openPage(context, 'restart');
  const afterRestart = await page.evaluate(async () => {
    const e = await window.cqlite.WorkerEngine.open({ storage: 'opfs', path: 'app.db', opfs: { directory: 'cq-persist' } });
    const results = await e.results('rooms');
    await e.close();
    return results;
  });
  assert.deepEqual(byName(afterRestart), expectedRows());
  step('browser restart: state intact');

  // The file itself, outside the browser: SQLite's integrity check, and the native CLI when built.
  const image = await page.evaluate(() => window.runWorker('./read_db_worker.mjs', { directory: 'cq-persist', file: '/app.db' }));
  const dbFile = path.join(userDataDir, 'app-copy.db');
  fs.writeFileSync(dbFile, Buffer.from(image.base64, 'base64'));
  const integrity = execFileSync('python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])', dbFile], { encoding: 'utf8' }).trim();
  assert.equal(integrity, 'ok');
  const cli = path.join(root, 'build/native/cqlite');
  if (fs.existsSync(cli)) {
    const lines = execFileSync(cli, ['results', '--db', dbFile, 'rooms'], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(byName(lines.map((l) => JSON.parse(l))), expectedRows());
    step(`database file from OPFS: integrity_check ok, the native CLI reads its ${lines.length} rows`);
  } else {
    step('database file from OPFS: integrity_check ok (build/native/cqlite not built: native read not tried)');
  }

  // 2e. A full origin quota (set through the DevTools protocol) on real OPFS: the change that does
  //     not fit fails with CqStorageFullError, every committed change is kept, the engine goes on.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.url, quotaSize: 16 * 1024 * 1024 });
  const full = await page.evaluate(async () => {
    const e = await window.cqlite.WorkerEngine.open({ storage: 'opfs', path: 'full.db', opfs: { directory: 'cq-quota' } });
    await e.registerQuery({ id: 'rooms', cypher: 'MATCH (r:Room) RETURN r.name AS name' });
    const note = 'x'.repeat(40000);
    let committed = 0;
    let failure;
    for (let i = 0; i < 2000 && !failure; i++) {
      try {
        await e.applyChange({ op: 'insert', element: { kind: 'node', source: 'S', id: `r${i}`, labels: ['Room'], properties: { name: `n${i}`, note } } });
        committed++;
      } catch (err) {
        failure = window.describeError(err);
      }
    }
    const count = (await e.results('rooms')).length;
    await e.close();
    return { committed, failure, count };
  });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.url }); // back to the default quota
  assert.equal(full.failure?.name, 'CqStorageFullError', JSON.stringify(full.failure));
  assert.equal(full.failure.code, 'StorageFull');
  assert.ok(full.committed > 10, `committed ${full.committed}`);
  assert.equal(full.count, full.committed, 'every committed change is in the results');
  const afterFull = await page.evaluate(async () => {
    const e = await window.cqlite.WorkerEngine.open({ storage: 'opfs', path: 'full.db', opfs: { directory: 'cq-quota' } });
    await e.applyChange({ op: 'insert', element: { kind: 'node', source: 'S', id: 'small', labels: ['Room'], properties: { name: 'small' } } });
    const count = (await e.results('rooms')).length;
    await e.close();
    return count;
  });
  assert.equal(afterFull, full.committed + 1);
  step(`quota full on OPFS: CqStorageFullError after ${full.committed} committed changes, all kept; reopened with the quota back, the next change is stored`);

  // The web demo (web-demo/, served from the repository like the package): it starts, applies
  // changes and receives diffs, and after a reload it continues from the state in OPFS.
  const demo = await openPage(context, 'demo');
  await demo.goto(`${site.url}/web-demo/`);
  await demo.waitForFunction(() => window.cqliteDemo?.error || (window.cqliteDemo?.ready && window.cqliteDemo.applied >= 5), null, { timeout: 20000 });
  const demoRun = await demo.evaluate(() => ({ ...window.cqliteDemo, status: document.getElementById('status').textContent, rows: document.querySelectorAll('#comfort tbody tr').length }));
  assert.equal(demoRun.error, undefined, demoRun.error);
  assert.equal(demoRun.rows, 3, 'the comfort table shows the 3 floors');
  assert.ok(demoRun.diffs >= demoRun.applied, 'each temperature change moves at least one floor average');
  await demo.reload();
  await demo.waitForFunction(() => window.cqliteDemo?.error || window.cqliteDemo?.ready, null, { timeout: 20000 });
  const demoAgain = await demo.evaluate(() => ({ ...window.cqliteDemo, status: document.getElementById('status').textContent, rows: document.querySelectorAll('#comfort tbody tr').length }));
  assert.equal(demoAgain.error, undefined, demoAgain.error);
  assert.match(demoAgain.status, /^restored from OPFS in \d+ ms: 24 rooms/);
  assert.equal(demoAgain.rows, 3);
  await demo.close();
  step(`web demo: ${demoRun.applied} changes, ${demoRun.diffs} diffs; after a reload: "${demoAgain.status}"`);

  // 3. OPFS figures.
  const benchOf = (journalMode) => page.evaluate((m) => window.runWorker('./bench_worker.mjs', m),
    { rooms: 1000, single: 500, batches: 20, batchSize: 100, journalMode });
  const bench = await benchOf('WAL');
  const truncate = await benchOf('TRUNCATE');
  assert.equal(bench.roomsCounted, bench.rooms);
  assert.equal(truncate.roomsCounted, truncate.rooms);
  const roundTrip = await page.evaluate(async () => {
    const e = await window.cqlite.WorkerEngine.open({ storage: 'opfs', path: 'rt.db', opfs: { directory: 'cq-bench-rt' }, clock: 'manual' });
    await e.registerQuery({ id: 'n', cypher: 'MATCH (r:Room) RETURN count(r) AS n' });
    const lat = [];
    for (let i = 0; i < 300; i++) {
      const s = performance.now();
      await e.applyChange({ op: 'insert', element: { kind: 'node', source: 'S', id: `x${i}`, labels: ['Room'], properties: { temp: i } } });
      lat.push(performance.now() - s);
    }
    const n = (await e.results('n'))[0].n;
    await e.close();
    const warm = lat.slice(50).sort((a, b) => a - b);
    return { n, changes: warm.length, p50Ms: warm[Math.floor(warm.length / 2)], p99Ms: warm[Math.floor(warm.length * 0.99)],
      changesPerSec: Math.round((warm.length / warm.reduce((a, b) => a + b, 0)) * 1000) };
  });
  assert.equal(roundTrip.n, 300);
  const figures = {
    measuredAt: new Date().toISOString(),
    browser: `Chromium ${context.browser()?.version() ?? ''} headless`,
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    note: 'dedicated worker, storage opfs (SQLite over the opfs-sah VFS, synchronous=NORMAL; single/batched: the default journal_mode WAL, truncate: journalMode TRUNCATE); query: 1-hop avg of room temperature by floor; single = applyChange (one transaction each), batched = applyChanges of batchSize changes in one transaction; pageRoundTrip = WorkerEngine.applyChange from the page, including the postMessage round trip',
    engineOpenMs: bench.openMs,
    rooms: bench.rooms,
    single: bench.single,
    batched: bench.batched,
    truncate: { single: truncate.single, batched: truncate.batched },
    pageRoundTrip: { ...roundTrip, p50Ms: +roundTrip.p50Ms.toFixed(3), p99Ms: +roundTrip.p99Ms.toFixed(3) },
  };
  console.log(`OPFS (WAL) single change per transaction: ${bench.single.changesPerSec} changes/s, commit p50 ${bench.single.p50Ms} ms, p99 ${bench.single.p99Ms} ms (${bench.single.commits} commits)`);
  console.log(`OPFS (WAL) batched (${bench.batched.batchSize} per transaction): ${bench.batched.changesPerSec} changes/s, commit p50 ${bench.batched.p50Ms} ms, p99 ${bench.batched.p99Ms} ms (${bench.batched.commits} commits)`);
  console.log(`OPFS, journalMode TRUNCATE: single ${truncate.single.changesPerSec} changes/s (p50 ${truncate.single.p50Ms} ms, p99 ${truncate.single.p99Ms} ms), batched ${truncate.batched.changesPerSec} changes/s (p50 ${truncate.batched.p50Ms} ms, p99 ${truncate.batched.p99Ms} ms)`);
  console.log(`OPFS via WorkerEngine from the page, one change at a time: ${roundTrip.changesPerSec} changes/s, p50 ${figures.pageRoundTrip.p50Ms} ms, p99 ${figures.pageRoundTrip.p99Ms} ms`);
  if (fs.existsSync(path.join(root, 'build/wasm'))) {
    fs.writeFileSync(path.join(root, 'build/wasm/opfs-bench.json'), JSON.stringify(figures, null, 2) + '\n');
  }
  step('browser test passed');
} finally {
  await context?.close().catch(() => {});
  await site.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
