// SPDX-License-Identifier: MIT
// The CLI's event loop: with the wall clock, a future fires on time while the input pipe is idle.
// The test writes one change that makes drasi.trueFor(..., 1 s) pending, then waits WITHOUT writing;
// the 'add' must arrive on its own (a loop that only looked at timers between input lines would
// print it only after the next line, and the test would time out). Then a delete must remove it.
//   node tests/cli/event_loop_test.mjs path/to/cqlite
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const cqlite = process.argv[2];
const dir = mkdtempSync(path.join(tmpdir(), 'cqlite-loop-'));
const query = path.join(dir, 'q.cypher');
writeFileSync(query, 'MATCH (n:Sensor) WHERE drasi.trueFor(n.v > 40, duration({seconds: 1})) RETURN n.id AS id');
const child = spawn(cqlite, ['run', '--query', query, '--changes', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = [];
let waiter = null;
let pending = '';
child.stdout.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    lines.push(JSON.parse(pending.slice(0, nl)));
    pending = pending.slice(nl + 1);
    if (waiter) waiter();
  }
});
const nextLine = (ms) => new Promise((resolve, reject) => {
  const check = () => { if (lines.length) { waiter = null; clearTimeout(t); resolve(lines.shift()); } };
  const t = setTimeout(() => { waiter = null; reject(new Error(`no output within ${ms} ms`)); }, ms);
  waiter = check;
  check();
});
const node = (op, v, t) => JSON.stringify({ op, element: { kind: 'node', source: 's', id: 'a', labels: ['Sensor'], properties: { id: 'a', v }, effective_from: t } }) + '\n';

let failed = false;
const expect = (what, ok) => { if (!ok) { failed = true; console.error(`FAIL: ${what}`); } else console.log(`ok: ${what}`); };
try {
  const t0 = Date.now();
  child.stdin.write(node('insert', 50, t0));
  const add = await nextLine(15000);
  const waited = Date.now() - t0;
  expect(`the add fired while the input was idle, after ${waited} ms (due after 1000 ms)`,
    add.diffs?.[0]?.kind === 'add' && add.diffs[0].after.id === 'a' && waited >= 900);
  child.stdin.end(node('delete', 50, Date.now()));
  const removed = await nextLine(15000);
  expect('the delete removed the row', removed.diffs?.[0]?.kind === 'remove');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
}
child.kill();
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
