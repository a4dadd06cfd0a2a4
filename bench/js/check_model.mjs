// SPDX-License-Identifier: MIT
// Checks that building_model.mjs produces the native generator's stream: compiles dump_model.cpp ad
// hoc against the native tree's static libraries (build/native, which must exist), then compares the
// first changes of both, bootstrap and updates, value by value (doubles bit for bit).
//   node bench/js/check_model.mjs [ROOMS=10000] [UPDATES=5000]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rooms = process.argv[2] ?? '10000';
const updates = process.argv[3] ?? '5000';
const exe = path.join(os.tmpdir(), `cq_dump_model_${process.pid}`);
const lib = (p) => path.join(root, 'build/native/core', p);
execFileSync('g++', ['-std=c++20', '-O1', '-I', root, path.join(root, 'bench/js/dump_model.cpp'), path.join(root, 'bench/building_model.cpp'),
  '-o', exe, '-Wl,--start-group', lib('libcq_model.a'), lib('libcq_temporal.a'), lib('libcq_common.a'), '-Wl,--end-group'], { stdio: 'inherit' });

// Canonical form: keys sorted; the defaults the JSON reader fills in (start_source/end_source = the
// relation's source) made explicit.
function canon(change) {
  const e = { ...change.element };
  if (e.kind === 'relation') {
    e.start_source ??= e.source;
    e.end_source ??= e.source;
  }
  const sort = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v);
  return JSON.stringify(sort({ op: change.op, element: e }));
}

let failures = 0;
try {
  for (const target of ['comfort', 'note']) {
    const big = 1_000_000_000;
    const native = execFileSync(exe, [rooms, String(big), updates, target], { encoding: 'utf8', maxBuffer: 1 << 30 }).trim().split('\n');
    const js = execFileSync(process.execPath, [path.join(root, 'bench/js/building_model.mjs'), '--dump', rooms, String(big), updates, target], { encoding: 'utf8', maxBuffer: 1 << 30 }).trim().split('\n');
    if (native.length !== js.length) throw new Error(`${target}: ${native.length} native changes, ${js.length} JS changes`);
    let differ = 0;
    for (let i = 0; i < native.length; i++) {
      // JSON.parse of both texts: nlohmann prints doubles round-trippably, so equal text => equal bits.
      if (canon(JSON.parse(native[i])) !== canon(JSON.parse(js[i]))) {
        if (differ++ < 3) console.error(`${target} change ${i} differs:\n  native ${native[i]}\n  js     ${js[i]}`);
      }
    }
    failures += differ;
    console.log(`${target}: ${native.length} changes compared (${rooms} rooms, bootstrap + ${updates} updates), ${differ} differ`);
  }
} finally {
  fs.rmSync(exe, { force: true });
}
if (failures) process.exit(1);
