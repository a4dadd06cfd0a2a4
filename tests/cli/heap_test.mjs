// SPDX-License-Identifier: MIT
// The native CLI runs itself with glibc's malloc on transparent huge pages (wasm/cli_main.cpp,
// useHugePageHeap): it sets GLIBC_TUNABLES and executes itself again, keeping its pid and its name; a
// caller's own GLIBC_TUNABLES and CQLITE_HEAP=default are left alone. The test reads the environment
// and the name of the running process (/proc/PID/environ, /proc/PID/comm), which only the exec can
// have changed. (glibc cuts a GLIBC_TUNABLES of several tunables short in place, after reading them
// all: the CLI's own, hugetlb then mmap_threshold, shows as its first; each case here names at most
// one. The threshold's effect, a fifth of the bootstrap's page faults, is measured by cq_bench.)
//   node tests/cli/heap_test.mjs path/to/cqlite expect-thp(1|0)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [cqlite, expectThp] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'cqlite-heap-'));
const query = path.join(dir, 'q.cypher');
writeFileSync(query, 'MATCH (n:Sensor) RETURN n.id AS id');

// Starts `cqlite run` reading changes from stdin, waits for its first output line (the process is
// then past main's start), and returns the GLIBC_TUNABLES its running image has.
async function tunablesOf(env) {
  const child = spawn(cqlite, ['run', '--query', query, '--changes', '-'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, GLIBC_TUNABLES: undefined, CQLITE_HEAP: undefined, ...env },
  });
  const firstLine = new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`cqlite exited with ${code} before any output`)));
  });
  child.stdin.write(JSON.stringify({ op: 'insert', element: { kind: 'node', source: 's', id: 'a', labels: ['Sensor'], properties: { id: 'a' }, effective_from: 1 } }) + '\n');
  await firstLine;
  const environ = readFileSync(`/proc/${child.pid}/environ`, 'latin1').split('\0');
  const name = readFileSync(`/proc/${child.pid}/comm`, 'latin1').trim();
  if (name !== path.basename(cqlite)) throw new Error(`the running process is named ${name}`);
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  const entry = environ.find((e) => e.startsWith('GLIBC_TUNABLES='));
  return entry === undefined ? undefined : entry.slice('GLIBC_TUNABLES='.length);
}

let failed = false;
const expect = (what, got, want) => {
  if (got !== want) { failed = true; console.error(`FAIL: ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); }
  else console.log(`ok: ${what}`);
};
try {
  const thp = expectThp === '1';
  expect('no tunables given', await tunablesOf({}), thp ? 'glibc.malloc.hugetlb=1' : undefined);
  expect('a caller\'s tunables are kept', await tunablesOf({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' }),
    'glibc.malloc.arena_max=1');
  expect('a caller\'s hugetlb choice is left alone', await tunablesOf({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }),
    'glibc.malloc.hugetlb=0');
  expect('CQLITE_HEAP=default keeps the default heap', await tunablesOf({ CQLITE_HEAP: 'default' }), undefined);
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
