// SPDX-License-Identifier: MIT
// The scenario queries written for @tanstack/db-ivm (a D2 differential dataflow graph), as well as we
// could write them: the static part of each join (room -> floor -> building names) is joined once at
// bootstrap, so a Room update crosses a single join, into a reduce that sums and counts per group.
// The graph is fed the package's Change objects (the same stream cqlite gets); an update retracts the
// Room's previous value and inserts the new one (what a TanStack DB collection sends it).
import { D2, MultiSet, map, join, reduce, output } from '@tanstack/db-ivm';
import { comfortLevel } from './building_model.mjs';

export class TanStackQuery {
  /** scenario: 1 (property projection), 2 (calculation projection), 3 (1-hop averaging),
   * 5 (2-hop averaging). */
  constructor(scenario) {
    this.scenario = scenario;
    this.graph = new D2();
    this.rooms = this.graph.newInput(); // [roomId, properties]
    this.current = new Map(); // roomId -> the properties last sent (for the retraction)
    this.results = new Map(); // result key -> { value, count }
    const sink = output((message) => {
      for (const [[key, value], mult] of message.getInner()) {
        const r = this.results.get(key);
        if (!r) this.results.set(key, { value, count: mult });
        else {
          r.count += mult;
          if (mult > 0) r.value = value;
          if (r.count === 0) this.results.delete(key);
        }
      }
    });
    if (scenario === 1) {
      this.rooms.pipe(
        map(([id, p]) => [id, { RoomName: p.name, Temperature: p.temperature, Humidity: p.humidity, CO2: p.co2 }]),
        sink,
      );
    } else if (scenario === 2) {
      this.rooms.pipe(map(([id, p]) => [id, { RoomName: p.name, ComfortLevel: comfortLevel(p) }]), sink);
    } else if (scenario === 3 || scenario === 5) {
      // Static side: roomId -> group name (floor name, or building name through the floor).
      this.roomFloor = this.graph.newInput(); // [roomId, floorId]
      this.floors = this.graph.newInput(); // [floorId, floorName]
      let roomGroup;
      if (scenario === 3) {
        roomGroup = this.roomFloor.pipe(
          map(([roomId, floorId]) => [floorId, roomId]),
          join(this.floors, 'inner'),
          map(([, [roomId, floorName]]) => [roomId, floorName]),
        );
      } else {
        this.floorBuilding = this.graph.newInput(); // [floorId, buildingId]
        this.buildings = this.graph.newInput(); // [buildingId, buildingName]
        const floorGroup = this.floorBuilding.pipe(
          map(([floorId, buildingId]) => [buildingId, floorId]),
          join(this.buildings, 'inner'),
          map(([, [floorId, buildingName]]) => [floorId, buildingName]),
        );
        roomGroup = this.roomFloor.pipe(
          map(([roomId, floorId]) => [floorId, roomId]),
          join(floorGroup, 'inner'),
          map(([, [roomId, buildingName]]) => [roomId, buildingName]),
        );
      }
      this.rooms.pipe(
        map(([id, p]) => [id, comfortLevel(p)]),
        join(roomGroup, 'inner'),
        map(([, [comfort, group]]) => [group, comfort]),
        reduce((values) => {
          let sum = 0, count = 0;
          for (const [v, m] of values) {
            sum += v * m;
            count += m;
          }
          return count > 0 ? [[sum / count, 1]] : [];
        }),
        sink,
      );
    } else throw new Error(`no TanStack version of scenario ${scenario}`);
    this.graph.finalize();
  }

  /** Sends the changes to the inputs (no run). */
  send(changes) {
    const rooms = [], roomFloor = [], floors = [], floorBuilding = [], buildings = [];
    for (const c of changes) {
      const e = c.element;
      if (e.kind === 'node') {
        const label = e.labels[0];
        if (label === 'Room') {
          const prev = this.current.get(e.id);
          const next = prev ? { ...prev, ...e.properties } : e.properties;
          if (prev) rooms.push([[e.id, prev], -1]);
          rooms.push([[e.id, next], 1]);
          this.current.set(e.id, next);
        } else if (label === 'Floor') floors.push([[e.id, e.properties.name], 1]);
        else if (label === 'Building') buildings.push([[e.id, e.properties.name], 1]);
      } else if (e.start.startsWith('room-')) roomFloor.push([[e.start, e.end], 1]);
      else floorBuilding.push([[e.start, e.end], 1]);
    }
    if (rooms.length) this.rooms.sendData(new MultiSet(rooms));
    if (this.roomFloor && roomFloor.length) this.roomFloor.sendData(new MultiSet(roomFloor));
    if (this.floors && floors.length) this.floors.sendData(new MultiSet(floors));
    if (this.floorBuilding && floorBuilding.length) this.floorBuilding.sendData(new MultiSet(floorBuilding));
    if (this.buildings && buildings.length) this.buildings.sendData(new MultiSet(buildings));
  }

  /** One change, one run of the graph. */
  applyOne(change) {
    const e = change.element;
    const prev = this.current.get(e.id);
    const next = prev ? { ...prev, ...e.properties } : e.properties;
    this.rooms.sendData(new MultiSet(prev ? [[[e.id, prev], -1], [[e.id, next], 1]] : [[[e.id, next], 1]]));
    this.current.set(e.id, next);
    this.graph.run();
  }

  /** A batch, one run of the graph. */
  applyBatch(changes) {
    this.send(changes);
    this.graph.run();
  }

  /** The current result rows, keyed as expectedResults() (RoomName / FloorName / BuildingName). */
  rows() {
    const out = new Map();
    const keyColumn = this.scenario === 3 ? 'FloorName' : 'BuildingName';
    for (const [key, { value }] of this.results) {
      if (this.scenario <= 2) out.set(value.RoomName, value);
      else out.set(key, { [keyColumn]: key, ComfortLevel: value });
    }
    return out;
  }
}
