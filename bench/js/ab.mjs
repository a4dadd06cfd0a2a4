// SPDX-License-Identifier: MIT
// Two builds of the package side by side (A/B) in one process: one engine each, fed the same changes,
// chunks of 1,000 alternating between them (main-thread CPU per chunk):
//   node bench/js/ab.mjs DIST_A DIST_B [--scenario 3] [--rooms 10000] [--changes 20000] [--mode each|single|batch]
// Prints both rates, B/A overall and the median of the per-chunk ratios. For measuring a change to the engine or the
// crossing in wasm, where runs on this machine vary by up to 1.5x (so one run of each proves nothing).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BuildingModel, findScenario } from './building_model.mjs';

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const scenario = Number(opt('--scenario', 3));
const rooms = Number(opt('--rooms', 10000));
const n = Number(opt('--changes', 20000));
const mode = opt('--mode', 'each');

const cpu = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]) / 1e9;

/** One engine of `dist` with its own model (the same seed: the same changes as the other's). */
async function setUp(dist) {
  const { Engine } = await import(pathToFileURL(path.join(path.resolve(dist), 'index.js')).href);
  const engine = await Engine.open({ storage: opt('--storage', 'memory'), clock: 'manual', archive: false });
  engine.registerQuery({ id: 'q', cypher: findScenario(scenario).cypher });
  const model = BuildingModel.ofRooms(rooms);
  const c0 = cpu();
  let elements = 0;
  for (let b; (b = model.nextBootstrap(1000)).length; elements += b.length) engine.applyChanges(b);
  return { engine, model, bootstrap: elements / (cpu() - c0), s: 0 };
}

const [a, b] = args.filter((x, i) => !x.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const sides = [await setUp(a), await setUp(b)];
const updates = findScenario(scenario).updates;
const run = (engine, c) => {
  if (mode === 'each') engine.applyEach(c);
  else if (mode === 'batch') engine.applyChanges(c);
  else for (const x of c) engine.applyChange(x);
};
// Chunks of 1,000 changes alternate between the two engines, so both see the same machine.
const chunkRatios = [];
for (let i = 0; i < n + 2000; i += 1000) {
  const times = sides.map((side) => {
    const chunk = Array.from({ length: 1000 }, () => side.model.nextUpdate(updates));
    const c0 = cpu();
    const w0 = performance.now();
    run(side.engine, chunk);
    return { cpu: cpu() - c0, wall: performance.now() - w0 };
  });
  if (i < 2000) continue;  // warm-up
  sides[0].s += times[0].cpu;
  sides[1].s += times[1].cpu;
  // Per chunk by wall time: schedstat's runtime advances at scheduler ticks (4 ms here), coarser
  // than a chunk, so per-chunk CPU ratios came out as exactly 1 more often than not.
  chunkRatios.push(times[0].wall / times[1].wall);
}
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const [ra, rb] = sides.map((s) => n / s.s);
console.log(`scenario ${scenario}, ${rooms} rooms, ${mode}: A ${ra.toFixed(0)}/s, B ${rb.toFixed(0)}/s, B/A ${(rb / ra).toFixed(3)} ` +
  `(median over chunks, wall ${med(chunkRatios).toFixed(3)}); bootstrap A ${sides[0].bootstrap.toFixed(0)}, B ${sides[1].bootstrap.toFixed(0)} el/s`);
