// SPDX-License-Identifier: MIT
// The binary crossing of changes (js/src/change_encoder.ts -> core/model/change_binary.h) against
// JSON text: two engines, one per crossing, get the same random changes through applyChange,
// applyChanges and applyEach and must return the same diffs, errors and results. Values that JSON
// treats specially are drawn on purpose (integers past 2^53 and at +-2^63, -0, NaN, the
// infinities, fractions, astral and lone surrogates, undefined, nesting), and so are changes of
// another shape (unknown keys, Dates, a bad op), which go as JSON text on both.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../dist/index.js';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = [0, -0, 1, -1, 42, 0.5, -2.75, 1e-300, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 2 ** 63,
  -(2 ** 63), 2 ** 64, -(2 ** 64), 1e21, NaN, Infinity, -Infinity, 70.63964157150768, 3];
const STRINGS = ['', 'a', 'Room 0.0.13', 'naïve', '温度', '😀 emoji', 'quote " and \\ backslash', 'tab\tnew\nline', '\u0000nul', '\ud800 lone high', 'lone low \udc00'];

function makeValue(r, depth) {
  const k = Math.floor(r() * (depth > 2 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return NUMBERS[Math.floor(r() * NUMBERS.length)];
    case 3: return STRINGS[Math.floor(r() * STRINGS.length)];
    case 4: return Math.floor(r() * 1000) - 500 + (r() < 0.5 ? 0 : 0.25);
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => (r() < 0.1 ? undefined : makeValue(r, depth + 1)));
    case 6: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, makeValue(r, depth + 1)]));
    default: return undefined;
  }
}

function makeChange(r, i) {
  const id = `n${Math.floor(r() * 12)}`;
  const op = ['insert', 'update', 'delete'][Math.floor(r() * 3)];
  const properties = { p: makeValue(r, 0), x: NUMBERS[Math.floor(r() * NUMBERS.length)], q: makeValue(r, 0) };
  if (r() < 0.2) properties[STRINGS[Math.floor(r() * STRINGS.length)]] = 1;  // odd keys
  const roll = r();
  let element;
  if (roll < 0.7) {
    element = { kind: 'node', source: r() < 0.9 ? 'S' : 'T', id, labels: r() < 0.9 ? ['Item'] : ['Item', 'Other'], properties, effective_from: i };
    if (r() < 0.2) delete element.kind;  // a node by default
    if (r() < 0.2) delete element.effective_from;
  } else if (roll < 0.9) {
    element = { kind: 'relation', source: 'S', id: `e${Math.floor(r() * 6)}`, labels: ['LINK'], start: id, end: `n${Math.floor(r() * 12)}`, properties: { w: makeValue(r, 1) } };
    if (r() < 0.3) element.start_source = 'S';
    if (r() < 0.3) element.end_source = 'T';
  } else {
    // Shapes the encoder leaves to JSON text (and some the engine rejects).
    const odd = [
      { kind: 'node', source: 'S', id, labels: ['Item'], properties: { when: new Date(0) } },
      { kind: 'node', source: 'S', id, labels: ['Item'], properties, extra: 1 },
      { kind: 'node', source: 'S', labels: ['Item'], properties },
      { kind: 'thing', source: 'S', id, labels: ['Item'] },
      { kind: 'node', source: 'S', id, labels: 'Item' },
      { kind: 'node', source: 'S', id, labels: ['Item'], effective_from: 1.5, properties },
      { kind: 'relation', source: 'S', id: 'e9', labels: ['LINK'], start: id },
      { kind: 'node', source: 'S', id: 'x\ud800', labels: ['Item'], properties },
    ];
    return { op: r() < 0.1 ? 'toString' : op, element: odd[Math.floor(r() * odd.length)] };
  }
  return { op, element };
}

const QUERIES = [
  { id: 'items', cypher: 'MATCH (n:Item) RETURN n.p AS p, n.q AS q, n.x AS x' },
  // toString shows whether a number arrived as an integer (5) or a float (5.0).
  { id: 'types', cypher: 'MATCH (n:Item) WHERE n.x IS NOT NULL RETURN toString(n.x) AS x, n.effective_from AS t' },
  { id: 'links', cypher: 'MATCH (a:Item)-[e:LINK]->(b:Item) RETURN e.w AS w, a.x AS ax, b.x AS bx' },
  { id: 'count', cypher: 'MATCH (n:Item) RETURN count(n) AS n, sum(n.x) AS total' },
  // Values the answers carry in other forms: an element (its properties), temporal values (ISO
  // text), nesting, a column named like Object.prototype's accessor.
  {
    id: 'shapes',
    cypher: "MATCH (n:Item) RETURN n AS node, date('2020-01-02') AS d, duration('P1DT2H') AS span, " +
      "[n.x, {a: n.p, b: [n.q]}] AS nested, n.x AS `__proto__`, n.x * -0.0 AS nz",
  },
];

async function pair() {
  const engines = [];
  for (const crossing of ['binary', 'json']) {
    const e = await Engine.open({ clock: 'manual', archive: false, crossing });
    for (const q of QUERIES) e.registerQuery(q);
    engines.push(e);
  }
  // Count the binary calls, so the test fails if the encoder silently declined everything.
  const native = engines[0]['native'];
  const applyBinary = native.applyBinary.bind(native);
  const calls = { binary: 0 };
  native.applyBinary = (...args) => {
    calls.binary++;
    return applyBinary(...args);
  };
  return { engines, calls };
}

/** The text both sides must give: errors by class, code and message (their stacks differ); keys in
 * their order (the binary answer builds its objects in the JSON answer's key order); -0 apart from 0. */
function plain(x) {
  return JSON.stringify(x, (k, v) => {
    if (v instanceof Error) return { name: v.name, code: v.code, message: v.message };
    return Object.is(v, -0) ? '<-0>' : v;
  });
}

function sameBoth(engines, call) {
  const results = engines.map((e) => {
    try {
      return { ok: call(e) };
    } catch (err) {
      return { threw: { name: err.name, code: err.code, message: err.message } };
    }
  });
  assert.equal(plain(results[0]), plain(results[1]));
  return results[0];
}

for (const seed of [1, 2, 3, 4]) {
  test(`binary and JSON crossings give the same diffs, errors and results (seed ${seed})`, async () => {
    const r = random(seed);
    const { engines, calls } = await pair();
    let i = 0;
    for (let round = 0; round < 60; round++) {
      const how = Math.floor(r() * 3);
      const n = 1 + Math.floor(r() * 8);
      const changes = Array.from({ length: n }, () => makeChange(r, ++i));
      if (how === 0) for (const c of changes) sameBoth(engines, (e) => e.applyChange(c));
      else if (how === 1) sameBoth(engines, (e) => e.applyChanges(changes));
      else sameBoth(engines, (e) => e.applyEach(changes));
      for (const q of QUERIES) sameBoth(engines, (e) => e.results(q.id));
    }
    assert.ok(calls.binary > 60, `the binary crossing was used (${calls.binary} calls)`);
    for (const e of engines) e.close();
  });
}

test('numbers keep their JSON meaning across the binary crossing', async () => {
  const { engines, calls } = await pair();
  const [binary] = engines;
  const values = [5, -0, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, 0.1, NaN, Infinity];
  values.forEach((x, k) => binary.applyChange({ op: 'insert', element: { kind: 'node', source: 'S', id: `v${k}`, labels: ['Item'], properties: { x, p: k } } }));
  assert.equal(calls.binary, values.length);
  const shown = new Map(binary.results('types').map((row) => [row.x, row]));
  // What JSON.stringify prints: integers up to 2^53 exactly; -2^63 as -9223372036854776000, past
  // int64, so a float (as 2^63); NaN and the infinities as null (those rows are filtered out).
  for (const s of ['5', '0', '9007199254740994', '-9.223372036854776e+18', '9.223372036854776e+18', '0.1'])
    assert.ok(shown.has(s), `toString(x) = ${s} in ${[...shown.keys()].join(', ')}`);
  assert.equal(shown.size, 6);
  for (const e of engines) e.close();
});

test('the crossing option is checked', async () => {
  await assert.rejects(Engine.open({ crossing: 'xml' }), (e) => e.code === 'Misuse' && /crossing/.test(e.message));
});

test('a value nested too deep for the change encoder still comes back through the binary answer', async () => {
  // The encoder sends a change nested past 500 levels as JSON text; a later change that the binary
  // crossing carries returns that value in its diff, and the binary answer must hold it whole.
  const { engines, calls } = await pair();
  let deep = 1;
  for (let i = 0; i < 600; i++) deep = [deep];
  const insert = { op: 'insert', element: { kind: 'node', source: 'S', id: 'deep', labels: ['Item'], properties: { p: deep, x: 1 } } };
  const update = { op: 'update', element: { kind: 'node', source: 'S', id: 'deep', labels: ['Item'], properties: { x: 2 } } };
  sameBoth(engines, (e) => e.applyChange(insert));
  const before = calls.binary;
  const r = sameBoth(engines, (e) => e.applyEach([update]));
  assert.ok(calls.binary > before, 'the update crossed in binary');
  assert.ok(r.ok, 'the update was answered, not rejected');
  const items = r.ok[0].find((o) => o.query === 'items');
  let depth = 0;
  for (let v = items.diffs[0].after.p; Array.isArray(v); v = v[0]) depth++;
  assert.equal(depth, 600);
  for (const e of engines) e.close();
});

test('column names cross once per engine, and the key table starts again when it is full', async () => {
  const { engines, calls } = await pair();
  const [binary] = engines;
  const tables = binary['native'].responses.tables;  // not public API: the decoder's key tables
  const table = () => tables.get(binary['handle']);
  const item = (id, p) => ({ op: 'insert', element: { kind: 'node', source: 'S', id, labels: ['Item'], properties: { p, x: 1, q: 2 } } });
  sameBoth(engines, (e) => e.applyChange(item('a', 1)));
  const defined = table().length;
  assert.ok(defined > 0, 'the first answer defined its column names');
  sameBoth(engines, (e) => e.applyChange(item('b', 2)));
  assert.equal(table().length, defined, 'the same columns again: no key sent twice');
  // A map-valued column with a key of its own in every answer: 700 keys fill the table (256 keys)
  // twice over; each answer must still decode to the JSON crossing's objects.
  let largest = 0;
  for (let i = 0; i < 700; i++) {
    const c = item(`m${i}`, { [`key${i}`]: i });
    if (i % 7 === 0) sameBoth(engines, (e) => e.applyEach([c, item(`n${i}`, { [`other${i}`]: i })]));
    else sameBoth(engines, (e) => e.applyChange(c));
    largest = Math.max(largest, table().length);
  }
  assert.ok(largest <= 256 && table().length < largest, `the table filled and started again (largest ${largest}, now ${table().length})`);
  for (const q of QUERIES) sameBoth(engines, (e) => e.results(q.id));
  assert.ok(calls.binary >= 700);
  for (const e of engines) e.close();
  assert.equal(tables.size, 0, 'a closed engine leaves no table behind');
});
