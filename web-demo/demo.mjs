// SPDX-License-Identifier: MIT
// The cqlite web demo: a WorkerEngine (engine in a dedicated worker, SQLite on OPFS) with three
// continuous queries over a building graph whose room temperatures drift. subscribe() receives every
// diff: those of each change (they come back in applyChange's reply) and those the engine's own timer
// fires for the trueFor query. The tables are kept up to date from the diffs alone (results() is read
// only when the page starts on an existing database).
import { WorkerEngine, CqStorageLockedError } from 'cqlite/browser';

const FLOORS = 3;
const ROOMS_PER_FLOOR = 8;
const DIRECTORY = 'cqlite-demo';
const queries = [
  { id: 'comfort', cypher: 'MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, avg(r.temp) AS avgTemp, count(r) AS rooms' },
  { id: 'hot', cypher: 'MATCH (r:Room)-[:PART_OF]->(f:Floor) WHERE r.temp > 24 RETURN r.name AS room, f.name AS floor, r.temp AS temp' },
  { id: 'alarm', cypher: 'MATCH (r:Room) WHERE drasi.trueFor(r.temp > 24, duration({seconds: 5})) RETURN r.name AS room' },
  // Not shown: the drift reads the current temperatures back from it after a reload. (A query sees
  // the changes applied after it was registered, so it is registered with the others, up front.)
  { id: 'temps', cypher: 'MATCH (r:Room) RETURN r.id AS id, r.temp AS temp' },
];

const $ = (id) => document.getElementById(id);
const status = (text, error = false) => {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
};
const node = (id, labels, properties) => ({ kind: 'node', source: 'bms', id, labels, properties, effective_from: Date.now() });
const roomId = (f, i) => `room-${f}-${i}`;

// The current result of each query, keyed by the row's identity, maintained from diffs.
const views = { comfort: new Map(), hot: new Map(), alarm: new Map(), temps: new Map() };
const keyOf = { comfort: (r) => r.floor, hot: (r) => r.room, alarm: (r) => r.room, temps: (r) => r.id };
const temps = new Map();
let engine;
let timer;
let applied = 0;
let diffCount = 0;
const demo = (window.cqliteDemo = { ready: false, applied: 0, diffs: 0, error: undefined });

function applyDiffs(query, diffs) {
  if (query === 'temps') return;
  const view = views[query];
  for (const d of diffs) {
    if (d.kind === 'add') view.set(keyOf[query](d.after), d.after);
    else if (d.kind === 'remove') view.delete(keyOf[query](d.before));
    else {
      if (d.before) view.delete(keyOf[query](d.before));
      view.set(keyOf[query](d.after), d.after);
    }
    diffCount++;
    const li = document.createElement('li');
    li.textContent = `${query}: ${JSON.stringify(d)}`;
    $('log').prepend(li);
  }
  while ($('log').children.length > 200) $('log').lastChild.remove();
  render(query, diffs);
  demo.diffs = diffCount;
}

function render(query, diffs = []) {
  const touched = new Set(diffs.map((d) => keyOf[query](d.after ?? d.before)));
  if (query === 'alarm') {
    $('alarm').replaceChildren(...[...views.alarm.keys()].sort().map((room) => Object.assign(document.createElement('li'), { textContent: `${room}: above 24 °C for 5 s or more` })));
    return;
  }
  const rows = [...views[query].values()].sort((a, b) => String(keyOf[query](a)).localeCompare(String(keyOf[query](b))));
  const cells = query === 'comfort' ? (r) => [r.floor, r.avgTemp.toFixed(2), r.rooms] : (r) => [r.room, r.floor, r.temp.toFixed(1)];
  $(query).tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    if (touched.has(keyOf[query](r))) tr.className = 'flash';
    for (const [i, v] of cells(r).entries()) {
      const td = document.createElement('td');
      td.textContent = String(v);
      if (i > 0 && typeof v !== 'string') td.className = 'num';
      tr.append(td);
    }
    return tr;
  }));
  requestAnimationFrame(() => $(query).querySelectorAll('tr.flash').forEach((tr) => tr.classList.remove('flash')));
}

async function seed() {
  const changes = [];
  for (let f = 1; f <= FLOORS; f++) {
    changes.push({ op: 'insert', element: node(`floor-${f}`, ['Floor'], { name: `Floor ${f}` }) });
    for (let i = 1; i <= ROOMS_PER_FLOOR; i++) {
      const temp = 20 + Math.round(Math.random() * 30) / 10;
      temps.set(roomId(f, i), temp);
      changes.push({ op: 'insert', element: node(roomId(f, i), ['Room'], { id: roomId(f, i), name: `${f}.${String(i).padStart(2, '0')}`, temp }) });
      changes.push({ op: 'insert', element: { kind: 'relation', source: 'bms', id: `part-${f}-${i}`, labels: ['PART_OF'], start: roomId(f, i), end: `floor-${f}`, properties: {}, effective_from: Date.now() } });
    }
  }
  return engine.applyChanges(changes); // one transaction
}

async function change(id, temp) {
  temps.set(id, temp);
  const out = await engine.applyChange({ op: 'update', element: node(id, ['Room'], { temp }) });
  applied++;
  demo.applied = applied;
  // The diffs in `out` have already reached the subscribe() callbacks (WorkerEngine dispatches each
  // reply's diffs to subscribers), so only per-query errors are looked at here.
  for (const o of out) if (o.error) console.warn(`query ${o.query} rejected a change`, o.error);
}

async function tick() {
  const ids = [...temps.keys()];
  const id = ids[Math.floor(Math.random() * ids.length)];
  const next = Math.round((temps.get(id) + (Math.random() - 0.5) * 1.2) * 10) / 10;
  await change(id, Math.min(30, Math.max(16, next)));
  status(`${applied} changes applied this session, ${diffCount} diffs received; state in OPFS directory '${DIRECTORY}'`);
}

function schedule() {
  clearInterval(timer);
  if ($('toggle').textContent === 'Resume') return;
  let busy = false;
  timer = setInterval(async () => {
    if (busy) return; // one change at a time: never queue behind a slow commit
    busy = true;
    try {
      await tick();
    } catch (e) {
      fail(e);
    } finally {
      busy = false;
    }
  }, 1000 / Number($('rate').value));
}

function fail(e) {
  clearInterval(timer);
  demo.error = String(e?.message ?? e);
  status(`Error: ${e?.name ?? ''} ${e?.message ?? e}`, true);
}

async function start() {
  const opened = performance.now();
  const options = { storage: 'opfs', path: 'demo.db', opfs: { directory: DIRECTORY, lock: 'fail' } };
  try {
    engine = await WorkerEngine.open(options);
  } catch (e) {
    if (e?.code === 'StorageSchema') {
      // A database an older cqlite wrote (its storage schema changed since): the demo's data is
      // only a demo's, so start a new one rather than leave the page stuck on the error.
      const root = await navigator.storage.getDirectory();
      await root.removeEntry(DIRECTORY, { recursive: true });
      engine = await WorkerEngine.open(options);
      return ready(opened, 'the demo database was written by another version of cqlite: started a new one. ');
    }
    if (!(e instanceof CqStorageLockedError)) throw e;
    // Another tab holds the database (or this page's previous worker, just after a reload, has not
    // let go yet): wait for it on the Web Lock.
    status('The demo database is open in another tab: waiting for it to be closed…');
    demo.waited = true;
    engine = await WorkerEngine.open({ ...options, opfs: { ...options.opfs, lock: 'wait' } });
  }
  return ready(opened, '');
}

/** Registers the queries (on a new database), seeds or restores the views, and starts the feed. */
async function ready(opened, note) {
  const known = new Set((await engine.queries()).map((q) => q.id));
  for (const q of queries) if (!known.has(q.id)) await engine.registerQuery(q);
  // Every diff arrives here: those in applyChange's replies and those the engine's timer fires.
  for (const q of queries) engine.subscribe(q.id, (diffs) => applyDiffs(q.id, diffs));
  const rooms = await engine.results('hot');
  const comfort = await engine.results('comfort');
  if (comfort.length === 0) {
    await seed(); // its diffs reach the views through subscribe()
    status(`${note}new database: ${FLOORS * ROOMS_PER_FLOOR} rooms created in ${(performance.now() - opened).toFixed(0)} ms`);
  } else {
    for (const q of queries) for (const row of await engine.results(q.id)) views[q.id].set(keyOf[q.id](row), row);
    for (const q of queries) if (q.id !== 'temps') render(q.id);
    for (const r of views.temps.values()) temps.set(r.id, r.temp);
    status(`restored from OPFS in ${(performance.now() - opened).toFixed(0)} ms: ${comfort.reduce((n, r) => n + r.rooms, 0)} rooms, ${rooms.length} above 24 °C`);
  }
  for (const b of ['toggle', 'heat', 'reset']) $(b).disabled = false;
  demo.ready = true;
  schedule();
}

$('toggle').onclick = () => {
  $('toggle').textContent = $('toggle').textContent === 'Pause' ? 'Resume' : 'Pause';
  schedule();
};
$('rate').oninput = () => {
  $('rateValue').textContent = $('rate').value;
  schedule();
};
$('heat').onclick = async () => {
  for (let i = 1; i <= ROOMS_PER_FLOOR; i++) await change(roomId(2, i), 27 + Math.round(Math.random() * 20) / 10);
};
$('reset').onclick = async () => {
  clearInterval(timer);
  await engine.close();
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(DIRECTORY, { recursive: true });
  location.reload();
};

start().catch(fail);
