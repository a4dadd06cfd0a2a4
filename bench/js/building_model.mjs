// SPDX-License-Identifier: MIT
// The building-comfort generator of bench/building_model.{h,cpp} and the scenario queries of
// bench/scenarios.cpp, ported to JavaScript so that the Node benchmark (bench.mjs) applies exactly
// the stream the native cq_bench applies: same SplitMix64 (BigInt), same seed, same order and values.
// Changes are plain objects in the package's Change shape (js/src/types.ts).
//   node bench/js/building_model.mjs --dump ROOMS BOOTSTRAP_K UPDATE_K [comfort|note]
//     prints the first BOOTSTRAP_K bootstrap changes, then UPDATE_K updates, one JSON per line
//     (check_model.mjs compares this with the C++ model).

const MASK = (1n << 64n) - 1n;

/** SplitMix64, as bench/building_model.cpp's Rng. */
export class Rng {
  constructor(seed = 42n) {
    this.state = BigInt(seed) & MASK;
  }
  next() {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  }
  /** Uniform in [0, n). */
  below(n) {
    return Number(this.next() % BigInt(n));
  }
  /** Uniform in [lo, hi): lo + (hi - lo) * double(next() >> 11) * 2^-53, in that order. */
  uniform(lo, hi) {
    return lo + (hi - lo) * Number(this.next() >> 11n) * 2 ** -53;
  }
}

const COMFORT =
  'floor(50 + (r.temperature - 72) + (r.humidity - 42) + CASE WHEN r.co2 > 500 THEN (r.co2 - 500) / 25 ELSE 0 END)';

/** bench/scenarios.cpp, verbatim. `updates`: which Room property the stream moves. */
export const SCENARIOS = [
  { number: 1, name: 'property projection', updates: 'comfort',
    cypher: 'MATCH (r:Room) RETURN r.name AS RoomName, r.temperature AS Temperature, r.humidity AS Humidity, r.co2 AS CO2' },
  { number: 2, name: 'calculation projection', updates: 'comfort',
    cypher: `MATCH (r:Room) RETURN r.name AS RoomName, ${COMFORT} AS ComfortLevel` },
  { number: 3, name: '1-hop averaging', updates: 'comfort',
    cypher: `MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS FloorName, ${COMFORT} AS RoomComfortLevel RETURN FloorName, avg(RoomComfortLevel) AS ComfortLevel` },
  { number: 4, name: '1-hop averaging, no-change updates', updates: 'note',
    cypher: `MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS FloorName, ${COMFORT} AS RoomComfortLevel RETURN FloorName, avg(RoomComfortLevel) AS ComfortLevel` },
  { number: 5, name: '2-hop averaging', updates: 'comfort',
    cypher: `MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building) WITH b.name AS BuildingName, ${COMFORT} AS RoomComfortLevel RETURN BuildingName, avg(RoomComfortLevel) AS ComfortLevel` },
];

export const findScenario = (n) => SCENARIOS.find((s) => s.number === n);

/** comfortLevel() of building_model.cpp, same order of operations as the Cypher expression. */
export function comfortLevel(room) {
  const co2Part = room.co2 > 500 ? (room.co2 - 500) / 25 : 0;
  return Math.floor(50 + (room.temperature - 72) + (room.humidity - 42) + co2Part);
}

export class BuildingModel {
  constructor({ buildings = 50, floorsPerBuilding = 10, roomsPerFloor = 20, seed = 42n, startTime = 5_000_000, source = 'facilities' } = {}) {
    if (buildings <= 0 || floorsPerBuilding <= 0 || roomsPerFloor <= 0) throw new Error('the building model needs at least one building, floor and room');
    this.config = { buildings, floorsPerBuilding, roomsPerFloor, seed, startTime, source };
    this.rng = new Rng(seed);
    this.rooms = Array.from({ length: this.roomCount() }, () => ({ temperature: 72, humidity: 42, co2: 500, note: 0 }));
    this.bootstrapCursor = 0;
    this.time = startTime;
  }

  /** A model of `rooms` rooms (a multiple of 200, as cq_bench requires). */
  static ofRooms(rooms, seed = 42n) {
    const perBuilding = 10 * 20;
    if (rooms <= 0 || rooms % perBuilding !== 0) throw new Error(`rooms must be a positive multiple of ${perBuilding}`);
    return new BuildingModel({ buildings: rooms / perBuilding, seed });
  }

  buildingCount() { return this.config.buildings; }
  floorCount() { return this.config.buildings * this.config.floorsPerBuilding; }
  roomCount() { return this.floorCount() * this.config.roomsPerFloor; }
  bootstrapSize() { return 2 * (this.roomCount() + this.floorCount()) + this.buildingCount(); }
  floorOfRoom(room) { return Math.floor(room / this.config.roomsPerFloor); }
  buildingOfFloor(floor) { return Math.floor(floor / this.config.floorsPerBuilding); }
  roomName(room) {
    const floor = this.floorOfRoom(room);
    return `Room ${this.buildingOfFloor(floor)}.${floor % this.config.floorsPerBuilding}.${room % this.config.roomsPerFloor}`;
  }
  floorName(floor) { return `Floor ${this.buildingOfFloor(floor)}.${floor % this.config.floorsPerBuilding}`; }
  buildingName(building) { return `Building ${building}`; }

  node(id, label, name) {
    return { op: 'insert', element: { kind: 'node', source: this.config.source, id, labels: [label], effective_from: this.config.startTime, properties: { name } } };
  }
  relation(id, from, to) {
    return { op: 'insert', element: { kind: 'relation', source: this.config.source, id, labels: ['PART_OF'], start: from, end: to, effective_from: this.config.startTime, properties: {} } };
  }
  roomElement(room, time) {
    const s = this.rooms[room];
    return { kind: 'node', source: this.config.source, id: `room-${room}`, labels: ['Room'], effective_from: time,
      properties: { name: this.roomName(room), temperature: s.temperature, humidity: s.humidity, co2: s.co2, note: s.note } };
  }

  /** Up to `max` further bootstrap inserts (buildings, floors, rooms, then the relations). */
  nextBootstrap(max) {
    const b = this.buildingCount(), f = this.floorCount(), r = this.roomCount();
    const out = [];
    for (; out.length < max && this.bootstrapCursor < this.bootstrapSize(); ++this.bootstrapCursor) {
      let i = this.bootstrapCursor;
      if (i < b) out.push(this.node(`building-${i}`, 'Building', this.buildingName(i)));
      else if ((i -= b) < f) out.push(this.node(`floor-${i}`, 'Floor', this.floorName(i)));
      else if ((i -= f) < r) out.push({ op: 'insert', element: this.roomElement(i, this.config.startTime) });
      else if ((i -= r) < f) out.push(this.relation(`floor-part-of-${i}`, `floor-${i}`, `building-${this.buildingOfFloor(i)}`));
      else {
        i -= f;
        out.push(this.relation(`room-part-of-${i}`, `room-${i}`, `floor-${this.floorOfRoom(i)}`));
      }
    }
    return out;
  }

  /** The next update: one random Room, one property moved by a delta in [-2, +2). `target`:
   * 'comfort' (temperature, humidity or co2) or 'note'. */
  nextUpdate(target = 'comfort') {
    const room = this.rng.below(this.roomCount());
    const s = this.rooms[room];
    const delta = this.rng.uniform(-2.0, 2.0);
    if (target === 'note') s.note += delta;
    else {
      switch (this.rng.below(3)) {
        case 0: s.temperature += delta; break;
        case 1: s.humidity += delta; break;
        default: s.co2 += delta; break;
      }
    }
    this.time += 1 + this.rng.below(3);
    return { op: 'update', element: this.roomElement(room, this.time) };
  }
}

/** The expected final result of a scenario, from the model's state (as checkResults in scenarios.cpp):
 * a Map from RoomName / FloorName / BuildingName to the expected row. */
export function expectedResults(scenario, model) {
  const out = new Map();
  const n = model.roomCount();
  if (scenario === 1 || scenario === 2) {
    for (let i = 0; i < n; i++) {
      const s = model.rooms[i];
      const name = model.roomName(i);
      out.set(name, scenario === 1
        ? { RoomName: name, Temperature: s.temperature, Humidity: s.humidity, CO2: s.co2 }
        : { RoomName: name, ComfortLevel: comfortLevel(s) });
    }
    return out;
  }
  const perBuilding = scenario === 5;
  const acc = new Map();
  for (let i = 0; i < n; i++) {
    const floor = model.floorOfRoom(i);
    const key = perBuilding ? model.buildingName(model.buildingOfFloor(floor)) : model.floorName(floor);
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { sum: 0, count: 0 }));
    a.sum += comfortLevel(model.rooms[i]);
    a.count += 1;
  }
  const keyColumn = perBuilding ? 'BuildingName' : 'FloorName';
  for (const [key, a] of acc) out.set(key, { [keyColumn]: key, ComfortLevel: a.sum / a.count });
  return out;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href && process.argv[2] === '--dump') {
  const [rooms, boot, updates, target = 'comfort'] = process.argv.slice(3);
  const model = BuildingModel.ofRooms(Number(rooms));
  const all = [];
  for (let b; (b = model.nextBootstrap(1000)).length; ) all.push(...b);
  const lines = [];
  for (let i = 0; i < Math.min(Number(boot), all.length); i++) lines.push(JSON.stringify(all[i]));
  for (let i = 0; i < Number(updates); i++) lines.push(JSON.stringify(model.nextUpdate(target)));
  process.stdout.write(lines.join('\n') + '\n');
}
