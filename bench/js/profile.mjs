// SPDX-License-Identifier: MIT
// CPU profile of one scenario's update phase through the package API (the bootstrap and the change
// generation are outside it), written with the inspector's profiler to --out (a .cpuprofile):
//   node bench/js/profile.mjs [--dist DIR] [--scenario 3] [--rooms 10000] [--changes 20000]
//        [--storage memory] [--mode each|single|batch] [--out build/bench-js.cpuprofile]
// --dist: a copy of dist/ whose wasm/cqlite.{mjs,wasm} were linked with --profiling-funcs, so the
// profile names wasm functions (the shipped module has no name section). summarize_profile.mjs
// prints the self time per function.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildingModel, findScenario } from './building_model.mjs';

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const dist = opt('--dist');
const { Engine } = await import(dist ? pathToFileURL(path.join(path.resolve(dist), 'index.js')).href : 'cqlite');
const scenario = Number(opt('--scenario', 3));
const rooms = Number(opt('--rooms', 10000));
const n = Number(opt('--changes', 20000));
const mode = opt('--mode', 'each');
const engine = await Engine.open({ storage: opt('--storage', 'memory'), clock: 'manual', archive: false });
engine.registerQuery({ id: 'q', cypher: findScenario(scenario).cypher });
const model = BuildingModel.ofRooms(rooms);
for (let b; (b = model.nextBootstrap(1000)).length; ) engine.applyChanges(b);
const updates = findScenario(scenario).updates;
const chunks = [];
for (let i = 0; i < n; i += 1000) chunks.push(Array.from({ length: Math.min(1000, n - i) }, () => model.nextUpdate(updates)));
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const t0 = performance.now();
for (const c of chunks) {
  if (mode === 'each') engine.applyEach(c);
  else if (mode === 'batch') engine.applyChanges(c);
  else for (const x of c) engine.applyChange(x);
}
const { profile } = await session.post('Profiler.stop');
const out = opt('--out', 'build/bench-js.cpuprofile');
fs.writeFileSync(out, JSON.stringify(profile));
console.error(`${mode}: ${Math.round(n / ((performance.now() - t0) / 1e3))} changes/s`);
engine.close();
