// SPDX-License-Identifier: MIT
// One scenario through one build of the package, untimed: the body that instructions.sh counts.
//   node bench/js/run_once.mjs DIST SCENARIO ROOMS CHANGES [each|single|batch|none] [binary|json]
// 'none' only generates the changes (the harness's own share, to subtract).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildingModel, findScenario } from './building_model.mjs';

const [dist, scenarioArg, roomsArg, changesArg, mode = 'each', crossing = 'binary'] = process.argv.slice(2);
const scenario = Number(scenarioArg), rooms = Number(roomsArg), n = Number(changesArg);
const { Engine } = await import(pathToFileURL(path.join(path.resolve(dist), 'index.js')).href);
const engine = await Engine.open({ storage: 'memory', clock: 'manual', archive: false, crossing });
engine.registerQuery({ id: 'q', cypher: findScenario(scenario).cypher });
const model = BuildingModel.ofRooms(rooms);
for (let b; (b = model.nextBootstrap(1000)).length; ) engine.applyChanges(b);
const updates = findScenario(scenario).updates;
for (let i = 0; i < n; i += 1000) {
  const chunk = Array.from({ length: 1000 }, () => model.nextUpdate(updates));
  if (mode === 'each') engine.applyEach(chunk);
  else if (mode === 'batch') engine.applyChanges(chunk);
  else if (mode === 'single') for (const c of chunk) engine.applyChange(c);
}
