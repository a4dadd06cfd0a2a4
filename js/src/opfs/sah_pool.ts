// SPDX-License-Identifier: MIT
// The slot pool behind the "opfs-sah" SQLite VFS (wasm/opfs_vfs.c). All OPFS files of the pool are
// opened with createSyncAccessHandle BEFORE the wasm module starts (opening is async, SQLite's I/O is
// sync), in a dedicated worker (the only place sync handles exist). Each slot file starts with a
// 4096-byte header holding the name of the SQLite file stored in it; a new SQLite file claims a free
// slot. A SyncAccessHandle is exclusive, so a second tab or worker cannot open the pool: that is
// reported as StorageLocked (or, with lock 'wait', the second one waits on a Web Lock).
// Every method the VFS calls catches everything: a JS exception must not unwind through wasm frames.

/** The part of FileSystemSyncAccessHandle the pool uses (Node tests pass fs-backed stand-ins). */
export interface SyncHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

const kHeader = 4096;
const kNameMax = 512;
const kOpenCreate = 0x4;
const kOpenDeleteOnClose = 0x8;
const kFailed = -1;
const kFull = -2;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'QuotaExceededError';
}

export class SahPool {
  private readonly handles: SyncHandle[];
  private readonly names: string[];
  private readonly byName = new Map<string, number>();
  private readonly deleteOnClose = new Set<number>();
  private tempCounter = 0;
  private releaseLock: (() => void) | undefined;
  /** I/O counters (benchmarks). */
  readonly stats = { reads: 0, writes: 0, syncs: 0 };
  /** The last error the pool caught (diagnostics). */
  lastError: unknown;

  constructor(handles: SyncHandle[], releaseLock?: () => void) {
    this.handles = handles;
    this.names = new Array<string>(handles.length).fill('');
    this.releaseLock = releaseLock;
    const header = new Uint8Array(kNameMax);
    handles.forEach((h, slot) => {
      header.fill(0);
      const n = h.getSize() >= kHeader ? h.read(header, { at: 0 }) : 0;
      const end = header.indexOf(0);
      const name = n > 0 ? decoder.decode(header.subarray(0, end < 0 ? kNameMax : end)) : '';
      if (name) {
        this.names[slot] = name;
        this.byName.set(name, slot);
      }
    });
  }

  /** Files currently stored in the pool. */
  files(): string[] {
    return [...this.byName.keys()];
  }

  close(): void {
    for (const h of this.handles) {
      try {
        h.close();
      } catch {
        // Already closed: nothing to release.
      }
    }
    this.releaseLock?.();
    this.releaseLock = undefined;
  }

  private setHeader(slot: number, name: string): void {
    const h = this.handles[slot]!;
    const header = new Uint8Array(kNameMax);
    header.set(encoder.encode(name).subarray(0, kNameMax - 1));
    h.write(header, { at: 0 });
    h.truncate(kHeader);
    h.flush();
  }

  xOpen(name: string | null, flags: number): number {
    try {
      const fileName = name ?? `/sqlite-temp-${++this.tempCounter}`;
      let slot = this.byName.get(fileName);
      if (slot === undefined) {
        if (!(flags & kOpenCreate)) return kFailed;
        slot = this.names.indexOf('');
        if (slot < 0) return kFailed;
        this.setHeader(slot, fileName);
        this.names[slot] = fileName;
        this.byName.set(fileName, slot);
      }
      if (flags & kOpenDeleteOnClose) this.deleteOnClose.add(slot);
      return slot;
    } catch (e) {
      this.lastError = e;
      return isQuotaError(e) ? kFull : kFailed;
    }
  }

  xRead(slot: number, buffer: Uint8Array, offset: number): number {
    try {
      this.stats.reads++;
      return this.handles[slot]!.read(buffer, { at: kHeader + offset });
    } catch (e) {
      this.lastError = e;
      return kFailed;
    }
  }

  xWrite(slot: number, buffer: Uint8Array, offset: number): number {
    try {
      this.stats.writes++;
      return this.handles[slot]!.write(buffer, { at: kHeader + offset });
    } catch (e) {
      this.lastError = e;
      return isQuotaError(e) ? kFull : kFailed;
    }
  }

  xTruncate(slot: number, size: number): number {
    try {
      this.handles[slot]!.truncate(kHeader + size);
      return 0;
    } catch (e) {
      this.lastError = e;
      return isQuotaError(e) ? kFull : kFailed;
    }
  }

  xSync(slot: number): number {
    try {
      this.stats.syncs++;
      this.handles[slot]!.flush();
      return 0;
    } catch (e) {
      this.lastError = e;
      return isQuotaError(e) ? kFull : kFailed;
    }
  }

  xFileSize(slot: number): number {
    try {
      return Math.max(0, this.handles[slot]!.getSize() - kHeader);
    } catch (e) {
      this.lastError = e;
      return kFailed;
    }
  }

  xClose(slot: number): number {
    if (this.deleteOnClose.delete(slot)) return this.xDelete(this.names[slot]!);
    return 0;
  }

  xDelete(name: string): number {
    const slot = this.byName.get(name);
    if (slot === undefined) return 0;
    try {
      const h = this.handles[slot]!;
      h.write(new Uint8Array(kNameMax), { at: 0 });
      h.truncate(kHeader);
      h.flush();
    } catch (e) {
      this.lastError = e;
      return 1;
    }
    this.byName.delete(name);
    this.names[slot] = '';
    return 0;
  }

  xAccess(name: string): number {
    return this.byName.has(name) ? 1 : 0;
  }
}

export interface OpfsPoolOptions {
  /** The OPFS directory holding the pool (one database per directory). Default '.cqlite'. */
  directory?: string;
  /** Number of slot files: the database, its journal, temporary files. Default 8. */
  capacity?: number;
  /** 'fail' (default): a second tab or worker gets CqStorageLockedError at once. 'wait': it
   * waits (Web Locks) until the first one closes its engine. */
  lock?: 'fail' | 'wait';
  /** 'WAL' (default): a commit appends to the write-ahead log without flushing it (SQLite
   * synchronous=NORMAL, as in the native build); a page reload or a tab or browser crash loses no
   * committed change, an OS crash or power loss can lose the last ones (the database stays
   * consistent); checkpoints flush. 'TRUNCATE': a rollback journal, flushed at every commit (about
   * 10x fewer commits per second). */
  journalMode?: 'WAL' | 'TRUNCATE';
  /** Advanced: use these open handles as the slot files instead of opening OPFS files (tests run
   * the VFS in Node over fs-backed stand-ins). The caller owns any locking. */
  handles?: SyncHandle[];
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<void>): Promise<void>;
}

/** Thrown by openOpfsPool when another context holds the pool; engine.ts maps it to StorageLocked. */
export class PoolLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolLockedError';
  }
}

/** Opens the pool in the current dedicated worker. */
export async function openOpfsPool(options: OpfsPoolOptions = {}): Promise<SahPool> {
  if (options.handles) return new SahPool(options.handles);
  const directory = options.directory ?? '.cqlite';
  const capacity = options.capacity ?? 8;
  const nav = globalThis.navigator as unknown as {
    storage?: { getDirectory(): Promise<FileSystemDirectoryHandle> };
    locks?: LockManagerLike;
  };
  if (!nav?.storage?.getDirectory) throw new Error("storage 'opfs' needs the Origin Private File System");

  // A Web Lock per directory says who owns the pool; it is held until the engine closes.
  let release: (() => void) | undefined;
  if (nav.locks) {
    const held = new Promise<boolean>((resolveHeld) => {
      void nav.locks!.request(`cqlite:${directory}`, { ifAvailable: options.lock !== 'wait' }, (lock) => {
        if (!lock) {
          resolveHeld(false);
          return Promise.resolve();
        }
        return new Promise<void>((resolveRelease) => {
          release = resolveRelease;
          resolveHeld(true);
        });
      });
    });
    if (!(await held)) {
      throw new PoolLockedError(`the database in OPFS directory '${directory}' is open in another tab or worker`);
    }
  }
  const handles: SyncHandle[] = [];
  try {
    const root = await nav.storage.getDirectory();
    const dir = await root.getDirectoryHandle(directory, { create: true });
    for (let i = 0; i < capacity; i++) {
      const file = await dir.getFileHandle(`slot-${i}`, { create: true });
      const fh = file as unknown as { createSyncAccessHandle?: () => Promise<SyncHandle> };
      if (!fh.createSyncAccessHandle) throw new Error("storage 'opfs' runs only in a dedicated worker");
      handles.push(await fh.createSyncAccessHandle());
    }
  } catch (e) {
    for (const h of handles) h.close();
    release?.();
    if ((e as { name?: string }).name === 'NoModificationAllowedError') {
      throw new PoolLockedError(`the database in OPFS directory '${directory}' is open in another tab or worker`);
    }
    throw e;
  }
  return new SahPool(handles, release);
}
