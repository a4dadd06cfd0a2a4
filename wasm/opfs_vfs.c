// SPDX-License-Identifier: MIT
// "opfs-sah": an SQLite VFS over a pool of OPFS FileSystemSyncAccessHandles that the JavaScript side
// (js/src/opfs/sah_pool.ts) opens BEFORE the module starts and passes as Module.sahPool: handle
// opening is asynchronous, SQLite I/O is synchronous, and ASYNCIFY cannot be combined with
// -fwasm-exceptions (toolchain-notes 1.3, 4). Each pool slot is one OPFS file with a 4096-byte header
// naming the SQLite file it holds; data starts after the header.
// Locking is a no-op: OPFS gives a file one SyncAccessHandle at a time, so the one worker that opened
// the pool owns every file in it, and a second tab fails when it opens the pool (StorageLocked).
// For the same reason the WAL index ("shared memory") lives in this module's heap: only connections
// of this one thread ever share it, as with SQLite's own locking_mode=EXCLUSIVE. That makes
// journal_mode=WAL available, whose commits append to the -wal file without a flush
// (synchronous=NORMAL): flushes happen at checkpoints (an fsync each is most of a commit's cost).
// Offsets cross to JS as doubles (exact up to 2^53) rather than i64, which would need WASM_BIGINT.
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>
#include <sqlite3.h>

// The JS pool returns -1 on a failure and -2 when the quota is exhausted (QuotaExceededError).
EM_JS(int, cq_sah_open, (const char* name, int flags), {
  return Module.sahPool.xOpen(name ? UTF8ToString(name) : null, flags);
});
EM_JS(int, cq_sah_read, (int slot, void* buf, int amount, double offset), {
  return Module.sahPool.xRead(slot, HEAPU8.subarray(buf, buf + amount), offset);
});
EM_JS(int, cq_sah_write, (int slot, const void* buf, int amount, double offset), {
  return Module.sahPool.xWrite(slot, HEAPU8.subarray(buf, buf + amount), offset);
});
EM_JS(int, cq_sah_truncate, (int slot, double size), { return Module.sahPool.xTruncate(slot, size); });
EM_JS(int, cq_sah_sync, (int slot), { return Module.sahPool.xSync(slot); });
EM_JS(double, cq_sah_size, (int slot), { return Module.sahPool.xFileSize(slot); });
EM_JS(int, cq_sah_close, (int slot), { return Module.sahPool.xClose(slot); });
EM_JS(int, cq_sah_delete, (const char* name), { return Module.sahPool.xDelete(UTF8ToString(name)); });
EM_JS(int, cq_sah_exists, (const char* name), { return Module.sahPool.xAccess(UTF8ToString(name)); });

typedef struct SahFile {
  sqlite3_file base;
  int slot;
  int shmMapped;  // this connection has mapped the slot's WAL index
} SahFile;

// The WAL index of one database file (by pool slot), in the heap; freed when no connection maps it.
typedef struct SahShm {
  int slot;
  int refs;
  int regionCount;
  void** regions;
  struct SahShm* next;
} SahShm;
static SahShm* shmList = 0;

static SahShm* shmFind(int slot) {
  for (SahShm* s = shmList; s; s = s->next)
    if (s->slot == slot) return s;
  return 0;
}

static void shmFree(SahShm* shm) {
  for (SahShm** p = &shmList; *p; p = &(*p)->next) {
    if (*p == shm) {
      *p = shm->next;
      break;
    }
  }
  for (int i = 0; i < shm->regionCount; i++) free(shm->regions[i]);
  free(shm->regions);
  free(shm);
}

static int ioResult(int rc, int ioError) {
  if (rc == -2) return SQLITE_FULL;
  return rc < 0 ? ioError : SQLITE_OK;
}

static int fileShmUnmap(sqlite3_file* f, int deleteFlag);

static int fileClose(sqlite3_file* f) {
  fileShmUnmap(f, 0);
  return cq_sah_close(((SahFile*)f)->slot) ? SQLITE_IOERR_CLOSE : SQLITE_OK;
}

static int fileRead(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  int n = cq_sah_read(((SahFile*)f)->slot, buf, amount, (double)offset);
  if (n < 0) return SQLITE_IOERR_READ;
  if (n < amount) {
    // SQLite requires the rest of a short read to be zeroed.
    memset((char*)buf + n, 0, (size_t)(amount - n));
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

static int fileWrite(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  int n = cq_sah_write(((SahFile*)f)->slot, buf, amount, (double)offset);
  if (n == -2) return SQLITE_FULL;
  return n == amount ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

static int fileTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return ioResult(cq_sah_truncate(((SahFile*)f)->slot, (double)size), SQLITE_IOERR_TRUNCATE);
}

static int fileSync(sqlite3_file* f, int flags) {
  (void)flags;
  return ioResult(cq_sah_sync(((SahFile*)f)->slot), SQLITE_IOERR_FSYNC);
}

static int fileSize(sqlite3_file* f, sqlite3_int64* out) {
  double size = cq_sah_size(((SahFile*)f)->slot);
  if (size < 0) return SQLITE_IOERR_FSTAT;
  *out = (sqlite3_int64)size;
  return SQLITE_OK;
}

static int fileLock(sqlite3_file* f, int level) {
  (void)f;
  (void)level;
  return SQLITE_OK;
}

static int fileCheckReservedLock(sqlite3_file* f, int* out) {
  (void)f;
  *out = 0;
  return SQLITE_OK;
}

static int fileControl(sqlite3_file* f, int op, void* arg) {
  (void)f;
  (void)op;
  (void)arg;
  return SQLITE_NOTFOUND;
}

static int fileSectorSize(sqlite3_file* f) {
  (void)f;
  return 4096;
}

static int fileDeviceCharacteristics(sqlite3_file* f) {
  (void)f;
  return SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN;
}

static int fileShmMap(sqlite3_file* f, int region, int regionSize, int extend, void volatile** out) {
  SahFile* file = (SahFile*)f;
  *out = 0;
  SahShm* shm = shmFind(file->slot);
  if (!shm) {
    shm = (SahShm*)calloc(1, sizeof(SahShm));
    if (!shm) return SQLITE_NOMEM;
    shm->slot = file->slot;
    shm->next = shmList;
    shmList = shm;
  }
  if (!file->shmMapped) {
    file->shmMapped = 1;
    shm->refs++;
  }
  if (region >= shm->regionCount) {
    if (!extend) return SQLITE_OK;
    void** grown = (void**)realloc(shm->regions, sizeof(void*) * (size_t)(region + 1));
    if (!grown) return SQLITE_NOMEM;
    shm->regions = grown;
    for (int i = shm->regionCount; i <= region; i++) {
      shm->regions[i] = calloc(1, (size_t)regionSize);
      if (!shm->regions[i]) {
        shm->regionCount = i;
        return SQLITE_NOMEM;
      }
    }
    shm->regionCount = region + 1;
  }
  *out = shm->regions[region];
  return SQLITE_OK;
}

static int fileShmLock(sqlite3_file* f, int offset, int n, int flags) {
  (void)f;
  (void)offset;
  (void)n;
  (void)flags;
  return SQLITE_OK;  // one thread owns the pool (see the top of this file)
}

static void fileShmBarrier(sqlite3_file* f) { (void)f; }

static int fileShmUnmap(sqlite3_file* f, int deleteFlag) {
  (void)deleteFlag;
  SahFile* file = (SahFile*)f;
  if (!file->shmMapped) return SQLITE_OK;
  file->shmMapped = 0;
  SahShm* shm = shmFind(file->slot);
  if (shm && --shm->refs <= 0) shmFree(shm);
  return SQLITE_OK;
}

static const sqlite3_io_methods kIoMethods = {
    2, fileClose, fileRead, fileWrite, fileTruncate, fileSync, fileSize, fileLock, fileLock,
    fileCheckReservedLock, fileControl, fileSectorSize, fileDeviceCharacteristics,
    fileShmMap, fileShmLock, fileShmBarrier, fileShmUnmap, 0, 0};

static int vfsOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* outFlags) {
  (void)vfs;
  SahFile* file = (SahFile*)f;
  file->base.pMethods = 0;
  int slot = cq_sah_open(name, flags);
  if (slot == -2) return SQLITE_FULL;
  if (slot < 0) return SQLITE_CANTOPEN;
  file->slot = slot;
  file->shmMapped = 0;
  file->base.pMethods = &kIoMethods;
  if (outFlags) *outFlags = flags;
  return SQLITE_OK;
}

static int vfsDelete(sqlite3_vfs* vfs, const char* name, int syncDir) {
  (void)vfs;
  (void)syncDir;
  return cq_sah_delete(name) ? SQLITE_IOERR_DELETE : SQLITE_OK;
}

static int vfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  (void)vfs;
  (void)flags;
  *out = cq_sah_exists(name);
  return SQLITE_OK;
}

static int vfsFullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  (void)vfs;
  if ((int)strlen(name) >= size) return SQLITE_CANTOPEN;
  strcpy(out, name);
  return SQLITE_OK;
}

// Randomness and time come from the default VFS (pAppData).
static int vfsRandomness(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* base = (sqlite3_vfs*)vfs->pAppData;
  return base->xRandomness(base, n, out);
}

static int vfsSleep(sqlite3_vfs* vfs, int micros) {
  (void)vfs;
  return micros;
}

static int vfsCurrentTime(sqlite3_vfs* vfs, double* out) {
  sqlite3_vfs* base = (sqlite3_vfs*)vfs->pAppData;
  return base->xCurrentTime(base, out);
}

static int vfsGetLastError(sqlite3_vfs* vfs, int n, char* out) {
  (void)vfs;
  (void)n;
  (void)out;
  return 0;
}

static int vfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  sqlite3_vfs* base = (sqlite3_vfs*)vfs->pAppData;
  return base->xCurrentTimeInt64(base, out);
}

static sqlite3_vfs kVfs = {2, sizeof(SahFile), 512, 0, "opfs-sah", 0, vfsOpen, vfsDelete, vfsAccess,
                           vfsFullPathname, 0, 0, 0, 0, vfsRandomness, vfsSleep, vfsCurrentTime,
                           vfsGetLastError, vfsCurrentTimeInt64, 0, 0, 0};

// Registers the VFS once (not as the default); returns an SQLite result code.
int cqOpfsVfsRegister(void) {
  if (sqlite3_vfs_find("opfs-sah")) return SQLITE_OK;
  kVfs.pAppData = sqlite3_vfs_find(0);
  return sqlite3_vfs_register(&kVfs, 0);
}
