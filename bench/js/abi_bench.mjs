// SPDX-License-Identifier: MIT
// Diagnostic: the package's C ABI (wasm/cq_api.cpp) compiled natively and fed the same JSON text
// the package sends, against the same calls through the package in wasm, in this process. Tells the
// JSON boundary's cost (native ABI vs cq_bench) apart from wasm's (package vs native ABI).
//   node bench/js/abi_bench.mjs [--rooms 10000] [--changes 20000] [--scenarios 1,2,3,5] [--exe PATH]
// Builds abi_bench.cpp against build/native's static libraries unless --exe names a built one
// (--exe PATH that does not exist yet: built there and kept).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildingModel, findScenario } from './building_model.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const rooms = Number(opt('--rooms', 10000));
const n = Number(opt('--changes', 20000));
const scenarios = opt('--scenarios', '1,2,3,5').split(',').map(Number);
// --exe PATH: use that binary, building it there first if it does not exist (kept afterwards).
let exe = opt('--exe');
const keepExe = Boolean(exe);
if (!exe || !fs.existsSync(exe)) {
  exe ??= path.join(os.tmpdir(), `cq_abi_bench_${process.pid}`);
  fs.mkdirSync(path.dirname(exe), { recursive: true });
  const L = path.join(root, 'build/native');
  execFileSync('g++', ['-std=c++20', '-O2', '-DNDEBUG', '-I', root, '-isystem', path.join(root, 'build/third_party/sqlite'),
    path.join(root, 'bench/js/abi_bench.cpp'), path.join(root, 'wasm/cq_api.cpp'), path.join(root, 'wasm/sqlite_image.cpp'),
    // Sources of the ABI newer than the native tree's libraries (cq_api's JSON writer).
    ...['core/model/json_writer.cpp'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f)), '-o', exe,
    '-Wl,--start-group', ...['core', 'storage', 'storage/sqlite'].flatMap((d) => fs.readdirSync(path.join(L, d)).filter((f) => f.endsWith('.a')).map((f) => path.join(L, d, f))),
    '-Wl,--end-group', '-lpthread', '-ldl'], { stdio: 'inherit' });
}
const { Engine } = await import('cqlite');
const cpu = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]) / 1e9;

const rows = [];
for (const s of scenarios) {
  const sc = findScenario(s);
  const model = BuildingModel.ofRooms(rooms);
  const boot = [];
  for (let b; (b = model.nextBootstrap(1000)).length; ) boot.push(b);
  boot.push(Array.from({ length: 1000 }, () => model.nextUpdate(sc.updates))); // warm-up
  const chunks = [];
  for (let i = 0; i < n; i += 1000) chunks.push(Array.from({ length: 1000 }, () => model.nextUpdate(sc.updates)));
  const input = [...boot, ...chunks].map((c) => JSON.stringify(c)).join('\n') + '\n';
  for (const mode of ['single', 'each', 'batch']) {
    const p = spawnSync(exe, [sc.cypher, mode, String(boot.length)], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (p.status !== 0) throw new Error(p.stderr);
    const nat = JSON.parse(p.stdout);
    // The same through the package (wasm).
    const engine = await Engine.open({ storage: 'memory', clock: 'manual', archive: false });
    engine.registerQuery({ id: 'q', cypher: sc.cypher });
    for (const b of boot) engine.applyChanges(b);
    let wall = 0, c = 0;
    for (const chunk of chunks) {
      const c0 = cpu(), t0 = performance.now();
      if (mode === 'each') engine.applyEach(chunk);
      else if (mode === 'batch') engine.applyChanges(chunk);
      else for (const x of chunk) engine.applyChange(x);
      wall += (performance.now() - t0) / 1e3;
      c += cpu() - c0;
    }
    engine.close();
    rows.push({ scenario: s, mode, changes: n, nativeAbi: { perSec: nat.changes / nat.seconds, cpuPerSec: nat.changes / nat.cpuSeconds }, wasm: { perSec: n / wall, cpuPerSec: n / c } });
    const r = rows.at(-1);
    console.error(`${s} ${mode}: native ABI ${Math.round(r.nativeAbi.perSec)}/s (CPU ${Math.round(r.nativeAbi.cpuPerSec)}), wasm package ${Math.round(r.wasm.perSec)}/s (CPU ${Math.round(r.wasm.cpuPerSec)}), ratio CPU ${(r.nativeAbi.cpuPerSec / r.wasm.cpuPerSec).toFixed(2)}x`);
  }
}
if (!keepExe) fs.rmSync(exe, { force: true });
const out = { measuredAt: new Date().toISOString(), node: process.version, loadavg: os.loadavg(), rooms, rows };
if (fs.existsSync(path.join(root, 'build'))) fs.writeFileSync(path.join(root, 'build/bench-js-abi.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out));
