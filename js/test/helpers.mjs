// SPDX-License-Identifier: MIT
// Shared helpers of the package's node --test files: change builders and fs-backed stand-ins for
// OPFS FileSystemSyncAccessHandles (toolchain-notes 4: the VFS logic is testable in Node).
import fs from 'node:fs';

export function node(id, labels, properties, effectiveFrom = 0, source = 'S') {
  return { kind: 'node', source, id, labels, properties, effective_from: effectiveFrom };
}

export function rel(id, type, start, end, effectiveFrom = 0) {
  return { kind: 'relation', source: 'S', id, labels: [type], start, end, properties: {}, effective_from: effectiveFrom };
}

export const insert = (element) => ({ op: 'insert', element });
export const update = (element) => ({ op: 'update', element });
export const remove = (element) => ({ op: 'delete', element });

/** A SyncAccessHandle over a real file. `quota` (bytes, optional) makes a write or truncate that
 * would grow the file past it throw a QuotaExceededError, like OPFS when the origin is full. */
export class FsSyncHandle {
  constructor(path, quota) {
    this.fd = fs.openSync(path, fs.existsSync(path) ? 'r+' : 'w+');
    this.quota = quota;
  }
  checkQuota(size) {
    if (this.quota !== undefined && size > this.quota.limit - this.quota.used() + this.getSize()) {
      const e = new Error('quota exceeded');
      e.name = 'QuotaExceededError';
      throw e;
    }
  }
  read(u8, { at }) { return fs.readSync(this.fd, u8, 0, u8.length, at); }
  write(u8, { at }) {
    this.checkQuota(Math.max(this.getSize(), at + u8.length));
    return fs.writeSync(this.fd, u8, 0, u8.length, at);
  }
  truncate(n) { this.checkQuota(n); fs.ftruncateSync(this.fd, n); }
  getSize() { return fs.fstatSync(this.fd).size; }
  flush() { fs.fsyncSync(this.fd); }
  close() { fs.closeSync(this.fd); }
}
