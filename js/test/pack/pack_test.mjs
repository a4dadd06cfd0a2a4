// SPDX-License-Identifier: MIT
// The package as a user gets it: `npm pack`, a fresh project that installs the tarball offline (the
// package has no runtime dependencies), then
//   1. a Node script using `import { Engine } from 'cqlite'` (memory, file, errors, subscriptions);
//   2. the `cqlite` bin (`npx cqlite scenario`) from inside the project;
//   3. TypeScript type-checks a file using both entries ('cqlite', 'cqlite/browser');
//   4. a browser page bundled with esbuild (page + the 'cqlite/worker' entry as a second bundle,
//      cqlite.wasm copied elsewhere and found through wasmUrl) runs in headless Chromium on OPFS;
//   5. the same package as plain ES modules from node_modules through an import map.
// Run from the repository root after `bash scripts/build.sh js`: node js/test/pack/pack_test.mjs
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
const started = Date.now();
const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
const run = (cmd, args, cwd, extra = {}) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...extra });

assert.ok(fs.existsSync(path.join(root, 'dist/wasm/cqlite.wasm')), 'dist/ is missing: run bash scripts/build.sh js first');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cqlite-pack-'));
let context;
let site;
try {
  // npm pack: what `files` ships, and nothing it needs at run time.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], root))[0];
  const shipped = packed.files.map((f) => f.path);
  for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/browser.js', 'dist/browser.d.ts',
    'dist/worker.js', 'dist/cli.js', 'dist/wasm/cqlite.mjs', 'dist/wasm/cqlite.wasm', 'dist/wasm/cqlite.d.mts', 'dist/generated/error_codes.js']) {
    assert.ok(shipped.includes(f), `the tarball lacks ${f}`);
  }
  assert.ok(!shipped.some((f) => /^(js|src|wasm|core|storage|build|node_modules)\//.test(f) || f.endsWith('.tsbuildinfo')), `unexpected files: ${shipped.filter((f) => !f.startsWith('dist/'))}`);
  const tgz = path.join(tmp, packed.filename);
  step(`npm pack: ${packed.filename}, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${shipped.length} files`);

  // A fresh project, installed offline: proof the package needs no registry and no dependencies.
  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'cqlite-user', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', tgz], app);
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules/cqlite/package.json'), 'utf8'));
  assert.deepEqual(manifest.dependencies ?? {}, {}, 'the package must have no runtime dependencies');
  assert.deepEqual(fs.readdirSync(path.join(app, 'node_modules')).filter((d) => !d.startsWith('.')), ['cqlite']);
  step('installed into a fresh project with npm install --offline');

  // 1. Node.
  fs.writeFileSync(path.join(app, 'main.mjs'), `
import { Engine, CqParseError, CqStorageLockedError } from 'cqlite';
const engine = await Engine.open({ storage: 'file', path: 'state.db' });
engine.registerQuery({ id: 'hot', cypher: 'MATCH (r:Room) WHERE r.temp > 25 RETURN r.name AS name' });
const seen = [];
engine.subscribe('hot', (diffs) => seen.push(...diffs));
const out = engine.applyChange({ op: 'insert', element: { kind: 'node', source: 'bms', id: 'r1', labels: ['Room'], properties: { name: 'Lab', temp: 30 } } });
let parse;
try { engine.registerQuery({ id: 'bad', cypher: 'MATCH (n RETURN n' }); } catch (e) { parse = { cls: e instanceof CqParseError, line: e.line, column: e.column }; }
engine.close();
const again = await Engine.open({ storage: 'file', path: 'state.db' });
console.log(JSON.stringify({ out, seen, parse, results: again.results('hot'), locked: typeof CqStorageLockedError, version: again.version() }));
again.close();
`);
  const node = JSON.parse(run(process.execPath, ['main.mjs'], app).trim());
  assert.deepEqual(node.out, [{ query: 'hot', diffs: [{ kind: 'add', after: { name: 'Lab' } }] }]);
  assert.deepEqual(node.seen, [{ kind: 'add', after: { name: 'Lab' } }]);
  assert.equal(node.parse.cls, true);
  assert.ok(node.parse.line === 1 && node.parse.column > 0);
  assert.deepEqual(node.results, [{ name: 'Lab' }]);
  assert.equal(node.locked, 'function');
  assert.equal(node.version, manifest.version);
  assert.equal(fs.readFileSync(path.join(app, 'state.db')).subarray(0, 15).toString(), 'SQLite format 3');
  step('Node script: diffs, subscription, typed parse error, state on disk across reopen');

  // 2. The bin, as `npx cqlite` inside the project.
  const scenario = path.join(root, '..', 'shared', 'conformance', 'scenarios', 'building_comfort.json');
  const cliOut = run('npx', ['--no-install', 'cqlite', 'scenario', '--storage', 'sqlite', scenario], app);
  assert.match(cliOut, /^PASS building_comfort$/m);
  assert.match(cliOut, /^1 passed, 0 failed$/m);
  let badExit = 0;
  try {
    run('npx', ['--no-install', 'cqlite', 'bogus'], app);
  } catch (e) {
    badExit = e.status;
  }
  assert.equal(badExit, 2, 'an unknown subcommand prints the usage and exits 2');
  step('npx cqlite scenario: PASS building_comfort, 1 passed, 0 failed');

  // 3. TypeScript users: both entries type-check from the installed package (NodeNext resolution).
  fs.writeFileSync(path.join(app, 'check.ts'), `
import { Engine, type Diff, type Change, type EngineOptions, type MiddlewareConfig, CqError } from 'cqlite';
import { WorkerEngine, type WorkerEngineOptions } from 'cqlite/browser';
const options: EngineOptions = { storage: 'sqlite', clock: 'manual', archive: false };
const change: Change = { op: 'insert', element: { kind: 'node', source: 's', id: 'a', labels: ['A'], properties: { x: 1 } } };
export async function f(): Promise<Diff[]> {
  const e = await Engine.open(options);
  const w: WorkerEngineOptions = { storage: 'opfs', path: 'x.db', opfs: { lock: 'wait' }, wasmUrl: '/cqlite.wasm' };
  void WorkerEngine.open(w);
  const out = e.applyChange(change);
  if (out[0]?.error instanceof CqError) throw out[0].error;
  const decoder: MiddlewareConfig = { kind: 'decoder', name: 'd', config: { encoding_type: 'base64', target_property: 'raw' } };
  // @ts-expect-error: middleware configs are typed per kind
  const rot13: MiddlewareConfig = { kind: 'decoder', name: 'd', config: { encoding_type: 'rot13', target_property: 'raw' } };
  e.registerQuery({ id: 'm', cypher: 'MATCH (n:A) RETURN n.raw AS raw', middleware: [decoder, rot13], pipeline: ['d'] });
  // @ts-expect-error: storage must be one of the four kinds
  await Engine.open({ storage: 'disk' });
  return out.flatMap((o) => o.diffs);
}
`);
  // Every query object of the conformance corpus (middleware included) must fit QueryConfig.
  const corpus = [];
  for (const sub of ['scenarios', 'expressions']) {
    const dir = path.join(root, '..', 'shared', 'conformance', sub);
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : []) {
      const scenario = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      // Queries a scenario expects to be rejected carry deliberately wrong configs.
      const rejected = new Set((scenario.expect_errors ?? []).map((e) => e.id));
      if (scenario.expect_build_error) continue;
      for (const q of (scenario.queries ?? []).filter((q) => !rejected.has(q.id))) {
        const { source_pipelines: sourcePipelines, ...rest } = q;
        for (const k of Object.keys(rest)) if (!['id', 'cypher', 'joins', 'middleware', 'pipeline'].includes(k)) delete rest[k];
        corpus.push(sourcePipelines ? { ...rest, sourcePipelines } : rest);
      }
    }
  }
  assert.ok(corpus.some((q) => q.middleware?.length), 'the corpus has middleware queries');
  fs.writeFileSync(path.join(app, 'corpus.ts'), `import type { QueryConfig } from 'cqlite';\nexport const corpus: QueryConfig[] = ${JSON.stringify(corpus, null, 1)};\n`);
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true },
    files: ['check.ts', 'corpus.ts'],
  }));
  run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  step(`TypeScript: check.ts and the corpus's ${corpus.length} query configs type-check against the installed .d.ts files`);

  // 4. A bundled page: esbuild (from the repository's devDependencies) bundles the page and the
  //    worker entry; the .wasm is copied to assets/ and found through wasmUrl.
  const web = path.join(app, 'web');
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(app, 'page.js'), `
import { WorkerEngine, CqStorageLockedError } from 'cqlite';
try {
  const engine = await WorkerEngine.open({
    storage: 'opfs', path: 'bundled.db',
    workerUrl: new URL('./cqlite-worker.js', import.meta.url),
    wasmUrl: new URL('./assets/cqlite.wasm', import.meta.url),
  });
  await engine.registerQuery({ id: 'n', cypher: 'MATCH (r:Room) RETURN count(r) AS n' });
  const got = [];
  const it = engine.changes('n');
  const out = await engine.applyChange({ op: 'insert', element: { kind: 'node', source: 's', id: 'r1', labels: ['Room'], properties: {} } });
  got.push((await it.next()).value);
  window.__result = { out, got, results: await engine.results('n'), lockedClass: typeof CqStorageLockedError };
  await engine.close();
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
`);
  fs.writeFileSync(path.join(app, 'cqlite-worker.js'), "import 'cqlite/worker';\n");
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>');
  const esbuild = await import('esbuild');
  await esbuild.build({ absWorkingDir: app, entryPoints: ['page.js', 'cqlite-worker.js'], bundle: true, format: 'esm',
    platform: 'browser', outdir: 'web', logLevel: 'warning' });
  fs.copyFileSync(path.join(app, 'node_modules/cqlite/dist/wasm/cqlite.wasm'), path.join(web, 'assets/cqlite.wasm'));
  const bundleText = fs.readFileSync(path.join(web, 'page.js'), 'utf8');
  assert.ok(bundleText.includes('WorkerEngine'), 'the browser condition resolved cqlite to dist/browser.js');
  // package.json "sideEffects" lets the bundler leave the wasm glue out of a page that only starts
  // the worker; the worker bundle carries it.
  assert.ok(!bundleText.includes('createCqliteModule'), 'the page bundle should not contain the wasm glue');
  assert.ok(fs.readFileSync(path.join(web, 'cqlite-worker.js'), 'utf8').includes('createCqliteModule'));
  step(`esbuild: page.js ${fs.statSync(path.join(web, 'page.js')).size} B, cqlite-worker.js ${fs.statSync(path.join(web, 'cqlite-worker.js')).size} B`);

  // 5. Plain ES modules straight from node_modules, no bundler: an import map names 'cqlite'.
  fs.writeFileSync(path.join(app, 'plain.html'), `<!doctype html><meta charset="utf-8">
<script type="importmap">{"imports": {"cqlite": "./node_modules/cqlite/dist/browser.js"}}</script>
<script type="module">
import { WorkerEngine } from 'cqlite';
try {
  const engine = await WorkerEngine.open({ storage: 'memory', clock: 'manual' });
  await engine.registerQuery({ id: 'q', cypher: 'MATCH (r:Room) RETURN r.id AS id' });
  const out = await engine.applyChange({ op: 'insert', element: { kind: 'node', source: 's', id: 'r1', labels: ['Room'], properties: { id: 7 } } });
  window.__result = { out };
  await engine.close();
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
</script>`);

  site = await serve(app);
  const userDataDir = path.join(tmp, 'chromium');
  context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`  [pageerror] ${e.message}`));
  await page.goto(`${site.url}/web/index.html`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
  const bundled = await page.evaluate(() => window.__result);
  assert.equal(bundled.error, undefined, bundled.error);
  const add = { kind: 'aggregation', before: { n: 0 }, after: { n: 1 }, grouping_keys: [] };
  assert.equal(bundled.out[0].query, 'n');
  assert.deepEqual(bundled.out[0].diffs.at(-1).after, { n: 1 });
  assert.deepEqual(bundled.got[0].at(-1).after, add.after);
  assert.deepEqual(bundled.results, [{ n: 1 }]);
  assert.equal(bundled.lockedClass, 'function');
  step('bundled page in Chromium: WorkerEngine on OPFS, wasm found through wasmUrl, diffs by reply and by iterator');

  await page.goto(`${site.url}/plain.html`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
  const plain = await page.evaluate(() => window.__result);
  assert.equal(plain.error, undefined, plain.error);
  assert.deepEqual(plain.out, [{ query: 'q', diffs: [{ kind: 'add', after: { id: 7 } }] }]);
  step('plain ES modules from node_modules through an import map: diffs received');
  step('pack test passed');
} finally {
  await context?.close().catch(() => {});
  await site?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
