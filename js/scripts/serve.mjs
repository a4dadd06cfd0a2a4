#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A tiny static file server for the browser tests and the web demo. 127.0.0.1 is a secure context,
// so OPFS works without TLS; no COOP/COEP headers are sent (the package does not need them).
//   node js/scripts/serve.mjs [--port 8080] [ROOT]      (ROOT defaults to the current directory)
// As a module: `const { server, url } = await serve(root, { port: 0 })`.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Serves `root` on 127.0.0.1:`port` (0 = any free port). Resolves when listening. */
export function serve(root, { port = 0, host = '127.0.0.1', log = false } = {}) {
  const base = path.resolve(root);
  const server = http.createServer(async (req, res) => {
    let file;
    try {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (rel === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      file = path.join(base, rel);
      if (file !== base && !file.startsWith(base + path.sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
      if (log) console.log(`200 ${req.url}`);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      if (log) console.log(`404 ${req.url}`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  let port = 8080;
  let root = '.';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port' && i + 1 < args.length) port = Number(args[++i]);
    else root = args[i];
  }
  const { url } = await serve(root, { port, log: process.env.CQ_SERVE_LOG === '1' });
  console.log(`serving ${path.resolve(root)} at ${url}/ (Ctrl-C stops)`);
}
