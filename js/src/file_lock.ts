// SPDX-License-Identifier: MIT
// Storage 'file' in Node: one engine per database file. SQLite's own file locks do not exist in the
// wasm build (Emscripten's file system has none), so two engines, in one process or in two, would
// both write the file and corrupt it. A lock file next to the database, created exclusively
// ('wx') and holding the owner's pid and host, says who owns it; a lock whose process is gone (a
// crash, or an engine never closed) is taken over. The native CLI does not look at this file: it uses
// SQLite's POSIX locks, which the wasm build cannot see, so do not run both on one file at once.
import { CqStorageLockedError, toCqError } from './errors.js';

interface NodeFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, text: string): number;
  closeSync(fd: number): void;
  readFileSync(path: string, encoding: 'utf8'): string;
  unlinkSync(path: string): void;
}
interface NodeProcess {
  pid: number;
  kill(pid: number, signal: number): boolean;
  getBuiltinModule(name: string): unknown;
}

function alive(proc: NodeProcess, pid: number): boolean {
  try {
    proc.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Takes the lock of the database at `absPath`; returns its release. Throws CqStorageLockedError. */
export function lockDatabaseFile(absPath: string): () => void {
  const proc = (globalThis as unknown as { process: NodeProcess }).process;
  const fs = proc.getBuiltinModule('fs') as NodeFs;
  const host = (proc.getBuiltinModule('os') as { hostname(): string }).hostname();
  const lockPath = `${absPath}.cqlite-lock`;
  let holder: { pid?: number; host?: string } | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      try {
        fs.writeSync(fd, JSON.stringify({ pid: proc.pid, host }));
      } finally {
        fs.closeSync(fd);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') {
        throw toCqError({ code: 'StorageIo', message: `cannot create the lock file ${lockPath}: ${(e as Error).message}` });
      }
      try {
        holder = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as typeof holder;
      } catch {
        holder = undefined; // being written right now, or not ours: treat as held
      }
      const stale = holder?.host === host && typeof holder.pid === 'number' && holder.pid !== proc.pid && !alive(proc, holder.pid);
      if (!stale) break;
      try {
        fs.unlinkSync(lockPath); // its process is gone: take it over
      } catch {
        // Someone else took it over first; the next attempt finds their lock.
      }
    }
  }
  const who = holder?.pid === proc.pid ? 'another engine of this process' : `process ${holder?.pid ?? '?'} on ${holder?.host ?? '?'}`;
  throw new CqStorageLockedError({
    code: 'StorageLocked',
    message: `the database ${absPath} is open in ${who} (lock file ${lockPath})`,
  });
}
