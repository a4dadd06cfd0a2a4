#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// `npx cqlite`: the native CLI's subcommands over the WebAssembly build, with the same output:
//   cqlite scenario [--storage memory|sqlite] [--known FILE] [--pending FILE] FILE...
//   cqlite run --query Q.cypher|Q.json --changes C.jsonl|- [--db PATH] [--storage memory|sqlite]
//              [--id ID] [--clock wall|simulated] [--limit N] [--quiet] [--print-results]
//   cqlite results --db PATH QUERY_ID
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Native } from './native.js';
import { Engine } from './engine.js';
import { CqError } from './errors.js';
import type { Change, QueryConfig, QueryDiffs } from './types.js';

function usage(): number {
  process.stderr.write(
    'usage:\n' +
      '  cqlite scenario [--storage memory|sqlite] [--known FILE] [--pending FILE] FILE...\n' +
      '  cqlite run --query Q.cypher --changes C.jsonl [--db PATH] [--storage memory|sqlite]\n' +
      '             [--id ID] [--clock wall|simulated] [--limit N] [--quiet] [--print-results]\n' +
      '  cqlite results --db PATH QUERY_ID\n',
  );
  return 2;
}

function parsePending(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0);
}

async function scenario(args: string[]): Promise<number> {
  let storage = 'memory';
  let known: unknown;
  let pending: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--storage' && i + 1 < args.length) storage = args[++i]!;
    else if (a === '--known' && i + 1 < args.length) known = JSON.parse(readFileSync(args[++i]!, 'utf8'));
    else if (a === '--pending' && i + 1 < args.length) pending = parsePending(readFileSync(args[++i]!, 'utf8'));
    else files.push(a);
  }
  if (files.length === 0) return usage();
  const native = await Native.load();
  const options = JSON.stringify(known === undefined ? { storage, pending } : { storage, known, pending });
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const name = basename(file).replace(/\.json$/, '');
    let r: { name: string; status: string; message: string };
    try {
      r = native.scenario(readFileSync(file, 'utf8'), name, options);
    } catch (e) {
      r = { name, status: 'FAIL', message: (e as Error).message };
    }
    if (r.status === 'PASS') {
      passed++;
      process.stdout.write(`PASS ${r.name}${r.message ? ` (${r.message})` : ''}\n`);
    } else if (r.status === 'FAIL') {
      failed++;
      process.stdout.write(`FAIL ${r.name}: ${r.message}\n`);
    } else if (r.status === 'KNOWN') {
      process.stdout.write(`KNOWN ${r.name}: ${r.message}\n`);
    } else {
      process.stdout.write(`PENDING ${r.name}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

function errorLine(e: CqError): Record<string, unknown> {
  return { code: e.code, message: e.message };
}

async function run(args: string[]): Promise<number> {
  const o: Record<string, string> = { id: 'q', clock: 'wall' };
  let quiet = false;
  let printResults = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--quiet') quiet = true;
    else if (a === '--print-results') printResults = true;
    else if (a.startsWith('--') && i + 1 < args.length) o[a.slice(2)] = args[++i]!;
    else return usage();
  }
  if (!o['query'] || !o['changes'] || (o['clock'] !== 'wall' && o['clock'] !== 'simulated')) return usage();
  const storage = o['storage'] ?? (o['db'] ? 'sqlite' : 'memory');
  const engine = await Engine.open({
    storage: storage === 'sqlite' ? (o['db'] ? 'file' : 'sqlite') : 'memory',
    path: o['db'],
    clock: 'manual',
  });
  try {
    const text = readFileSync(o['query'], 'utf8');
    const config: QueryConfig = o['query'].endsWith('.json') ? (JSON.parse(text) as QueryConfig) : { id: o['id']!, cypher: text };
    const existing = engine.queries().find((q) => q.id === config.id);
    if (!existing) engine.registerQuery(config);
    else if (existing.cypher !== config.cypher) {
      throw new CqError({ code: 'DuplicateQuery', message: `the database already holds a different query '${config.id}'` });
    }
    const limit = o['limit'] !== undefined ? Number(o['limit']) : -1;
    const print = (outputs: QueryDiffs[], seq: number) => {
      if (quiet) return;
      for (const out of outputs) {
        if (out.error) process.stdout.write(JSON.stringify({ seq, query: out.query, error: errorLine(out.error) }) + '\n');
        if (out.diffs.length) process.stdout.write(JSON.stringify({ seq, query: out.query, diffs: out.diffs }) + '\n');
      }
    };
    const input = o['changes'] === '-' ? process.stdin : (await import('node:fs')).createReadStream(o['changes']);
    let seq = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      ++seq;
      if (limit >= 0 && seq > limit) break;
      try {
        const change = JSON.parse(line) as Change;
        const now = o['clock'] === 'simulated' ? (change.element?.effective_from ?? 0) : Date.now();
        const due = engine.nextDueTime();
        if (due !== undefined && due <= now) print(engine.advanceTime(now), seq);
        else engine.advanceTime(now);
        print(engine.applyChange(change), seq);
      } catch (e) {
        const err = e instanceof CqError ? errorLine(e) : { code: 'InvalidJson', message: (e as Error).message };
        process.stdout.write(JSON.stringify({ seq, error: err }) + '\n');
      }
    }
    if (printResults) for (const row of engine.results(config.id)) process.stdout.write(JSON.stringify(row) + '\n');
  } finally {
    engine.close();
  }
  return 0;
}

async function results(args: string[]): Promise<number> {
  let db = '';
  let id = '';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--db' && i + 1 < args.length) db = args[++i]!;
    else id = args[i]!;
  }
  if (!db || !id) return usage();
  const engine = await Engine.open({ storage: 'file', path: db, clock: 'manual' });
  try {
    for (const row of engine.results(id)) process.stdout.write(JSON.stringify(row) + '\n');
  } finally {
    engine.close();
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    if (cmd === 'scenario') return await scenario(args);
    if (cmd === 'run') return await run(args);
    if (cmd === 'results') return await results(args);
    return usage();
  } catch (e) {
    if (e instanceof CqError) process.stderr.write(`cqlite: ${e.code}: ${e.message}\n`);
    else process.stderr.write(`cqlite: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
