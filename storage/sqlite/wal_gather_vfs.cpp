// SPDX-License-Identifier: MIT
// The WAL VFS (see wal_gather_vfs.h): a wrapper of SQLite's default VFS that cuts the system calls
// of a commit and of a checkpoint. Three parts, each described where it is implemented:
//
// - Mapped WAL (native, writable): a WAL file is mapped MAP_SHARED, so that a small commit is a
//   memcpy() and no system call. (A WAL without a descriptor of our own, which only a read-only
//   connection has and it writes no frames, is written straight through.)
// - Gathered commits (native, writable): a transaction's frames are gathered and written out when
//   its commit frame is complete, a small commit with one memcpy() into the mapping, a large one (a
//   batch) with one pwrite().
// - Gathered checkpoints: contiguous writes to a main database file whose WAL is open are written
//   as one.
//
// Other files (rollback journals, temporary files) are the default VFS's own, untouched.
#include "storage/sqlite/wal_gather_vfs.h"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>

#ifndef __EMSCRIPTEN__
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace cq::sqlitedb {

namespace {

constexpr int kWalHeaderSize = 32;           // WAL_HDRSIZE: frames start after it
// SQLite's unix VFS writes at most 128 KiB - 1 per call (seekAndWriteFd masks the size with 0x1ffff):
// gathered pages are written out before they would pass 64 KiB (64 pages of 1 KiB).
constexpr int kMaxGathered = 1 << 16;

struct GatherFile {
    sqlite3_file base;    // pMethods: gatherMethods
    sqlite3_file* real;   // the default VFS's file, allocated right after this struct
    char* buffer;         // gathered writes, bytes [start, start + used) of the file
    int used;
    int capacity;
    sqlite3_int64 start;
    bool database;        // a main database file (its checkpoint writes are gathered), else a WAL
    GatherFile* nextDatabase;  // the list of open database files (gDatabases)
    const char* name;     // the file's name (SQLite keeps it valid while the file is open)
    GatherFile* wal;      // database: its open WAL, if any (only then are its writes gathered)
    GatherFile* owner;    // WAL: its database, if open through this VFS
    // The mapped WAL (see "Mapped WAL" below); without a descriptor, writes go straight through.
    int fd;               // our own descriptor of the WAL file (-1: none)
    char* map;            // MAP_SHARED mapping of bytes [0, mapSize) of the file
    sqlite3_int64 mapSize;
    sqlite3_int64 populated;  // bytes [0, populated) of the mapping are prefaulted writable
    bool noPopulate;          // MADV_POPULATE_WRITE failed once (a kernel before 5.14): stop asking
    bool commitFrame;         // WAL: the last write was the header of a commit frame
};

constexpr int realOffset() { return int((sizeof(GatherFile) + 15) & ~size_t(15)); }

sqlite3_vfs* realVfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
GatherFile* gather(sqlite3_file* file) { return reinterpret_cast<GatherFile*>(file); }
sqlite3_file* real(sqlite3_file* file) { return gather(file)->real; }

#ifndef __EMSCRIPTEN__
int flushWal(GatherFile* g);
#endif

int flush(GatherFile* g) {
    if (g->used == 0) return SQLITE_OK;
#ifndef __EMSCRIPTEN__
    if (!g->database) return flushWal(g);
#endif
    int size = g->used;
    g->used = 0;
    return g->real->pMethods->xWrite(g->real, g->buffer, size, g->start);
}

// ---------------------------------------------------------------------------------------------
// Mapped WAL (native): the WAL file is mapped MAP_SHARED and SQLite's frame writes are memcpy()s
// into the mapping, so a commit makes no system call at all. A pwrite() of one frame cost about
// 3 us of kernel time here (ext4: page cache lookup, block_commit_write, mark_buffer_dirty), more
// than SQLite's own work for a small transaction: an autocommit INSERT of a 330-byte row, 1 KiB
// pages, exclusive locking, took 6.5 us of CPU through the default VFS and 4.8 us through this one
// (a microbenchmark on the amalgamation, 50,000 inserts).
// Why it is as safe as write(): a store into a shared file mapping is in the kernel's page cache
// the moment it is made, exactly where write() would have put it, so a killed process loses
// nothing written before it died and every other reader (pread, another process) sees it. fsync()
// (SQLite's xSync at checkpoints) writes those pages out as it would written ones. The file is
// grown ahead of the writes with posix_fallocate(), which reserves the blocks: a store into the
// mapping never meets a full disk (that would be SIGBUS); the fallocate() fails instead, and the
// write returns SQLITE_FULL. SQLite reads a WAL only up to its last valid frame (salts and
// checksums), so the zeros past it are never taken for frames.
#ifndef __EMSCRIPTEN__
constexpr sqlite3_int64 kMapChunk = sqlite3_int64(4) << 20;

void unmapWal(GatherFile* g) {
    if (g->map) munmap(g->map, size_t(g->mapSize));
    g->map = nullptr;
    g->mapSize = 0;
    g->populated = 0;
}

// Prefaulting ahead. The first store into each 4 KiB page of the mapping faults, and so does the
// first store after a checkpoint's fsync() has cleaned the page (the kernel write-protects it to
// notice the next write): with 1 KiB frames, one fault per four commits, 0.33 per change of
// scenario 1, and faults were 9% of that benchmark's time on SQLite (perf, 10,000 rooms). One
// madvise(MADV_POPULATE_WRITE) makes the next 256 KiB writable in one system call. It does the
// work of a write fault (reserves nothing new: the blocks are fallocate()d), so it is as safe.
constexpr sqlite3_int64 kPopulateAhead = sqlite3_int64(256) << 10;

/// Before a write of [offset, end) into the mapping.
void populateAhead(GatherFile* g, sqlite3_int64 offset, sqlite3_int64 end) {
    if (g->noPopulate || end <= g->populated) return;
    const sqlite3_int64 first = offset & ~sqlite3_int64(4095);
    const sqlite3_int64 from = g->populated > first ? g->populated : first;
    sqlite3_int64 to = (end + kPopulateAhead) & ~sqlite3_int64(4095);
    if (to > g->mapSize) to = g->mapSize;
    if (to <= from) return;
#ifdef MADV_POPULATE_WRITE
    if (madvise(g->map + from, size_t(to - from), MADV_POPULATE_WRITE) != 0) {
        g->noPopulate = true;  // unsupported, or a page it could not fault: stores fault as before
        return;
    }
    g->populated = to;
#else
    g->noPopulate = true;
#endif
}

/// Maps at least [0, end) of the WAL, growing the file (blocks reserved) when it is shorter.
int mapWal(GatherFile* g, sqlite3_int64 end) {
    if (g->map && end <= g->mapSize) return SQLITE_OK;
    struct stat st;
    if (fstat(g->fd, &st) != 0) return SQLITE_IOERR_FSTAT;
    sqlite3_int64 size = st.st_size;
    if (size < end) {
        sqlite3_int64 grown = (end + kMapChunk - 1) / kMapChunk * kMapChunk;
        int rc = posix_fallocate(g->fd, size, grown - size);
        if (rc == ENOSPC) return SQLITE_FULL;
        if (rc != 0) return SQLITE_IOERR_WRITE;
        size = grown;
    }
    unmapWal(g);
    void* map = mmap(nullptr, size_t(size), PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
    if (map == MAP_FAILED) return SQLITE_IOERR_MMAP;
    g->map = static_cast<char*>(map);
    g->mapSize = size;
    return SQLITE_OK;
}

// Gathered commits. A transaction's frames (a 24-byte header and a page each, two xWrite calls) are
// gathered in `buffer` and written out when the page of its commit frame (a header whose "database
// size after commit" field is not zero, the WAL format) has been gathered, so before SQLite's
// commit returns: a killed process loses no commit that returned. A small commit is then one
// memcpy() into the mapping; one of kDirectWrite bytes or more (a batch) is one pwrite(). On this
// machine (a guest whose hypervisor shadows page tables), a store into a mapped file page that is
// new or was cleaned by a checkpoint's fsync() costs far more than the copy itself, while write()
// copies through the kernel's own mapping: a batch of 1,000 changes of bench scenario 1 (about
// 200 frames of 1 KiB) took 20% less CPU written with one pwrite() than stored into the mapping,
// and small commits gained from one memcpy() instead of two (docs/storage.md, "Mapped WAL").
// Anything that reads or syncs the WAL, asks its size, or writes elsewhere in it writes the
// gathered frames out first (flush()), so SQLite never sees the file without them.
constexpr int kDirectWrite = 16 << 10;
constexpr int kMaxGatheredWal = 8 << 20;  // a larger transaction is written out in pieces

int flushWal(GatherFile* g) {
    const sqlite3_int64 start = g->start;
    const int size = g->used;
    g->used = 0;
    // Mapping also reserves the blocks (posix_fallocate), so a full disk fails here, not midway.
    if (int rc = mapWal(g, start + size)) return rc;
    if (size < kDirectWrite) {
        populateAhead(g, start, start + size);
        std::memcpy(g->map + start, g->buffer, size_t(size));
        return SQLITE_OK;
    }
    const char* at = g->buffer;
    sqlite3_int64 offset = start;
    size_t left = size_t(size);
    while (left > 0) {
        ssize_t n = pwrite(g->fd, at, left, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 && errno == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
        at += n;
        offset += n;
        left -= size_t(n);
    }
    return SQLITE_OK;
}

int walWrite(GatherFile* g, const void* data, int amount, sqlite3_int64 offset) {
    if (g->used != 0 && (offset != g->start + g->used || g->used + amount > kMaxGatheredWal)) {
        if (int rc = flushWal(g)) return rc;
    }
    if (g->used + amount > g->capacity) {
        int capacity = g->capacity > 0 ? g->capacity : kDirectWrite;
        while (capacity < g->used + amount) capacity *= 2;
        char* grown = static_cast<char*>(sqlite3_realloc(g->buffer, capacity));
        if (!grown) return SQLITE_IOERR_NOMEM;
        g->buffer = grown;
        g->capacity = capacity;
    }
    if (g->used == 0) g->start = offset;
    std::memcpy(g->buffer + g->used, data, size_t(amount));
    g->used += amount;
    if (amount == 24) {  // a frame header (pages are 512 bytes or more, the WAL header 32)
        const unsigned char* header = static_cast<const unsigned char*>(data);
        g->commitFrame = (header[4] | header[5] | header[6] | header[7]) != 0;
        return SQLITE_OK;
    }
    if (!g->commitFrame) return SQLITE_OK;
    g->commitFrame = false;
    return flushWal(g);
}
#endif

// ---------------------------------------------------------------------------------------------
// Gathered checkpoints: in WAL mode SQLite writes the main database file only when it checkpoints,
// one page per write() in increasing page order (walCheckpoint), which for 1 KiB pages was one
// system call per page. Contiguous writes to a database file are gathered (up to kMaxGathered)
// and written as one. Anything else SQLite does with the file writes them out first (read, sync,
// size, truncate, lock, unlock, file control, close), and so does the start of a new WAL (a write
// of its header): SQLite reuses the WAL only after a checkpoint has copied it, and syncs the
// database before that at synchronous=NORMAL or FULL; the flush on the header keeps the order
// even at synchronous=OFF. Single-threaded, as the native build's SQLite.
GatherFile* gDatabases = nullptr;

int flushDatabases() {
    for (GatherFile* g = gDatabases; g; g = g->nextDatabase)
        if (int rc = flush(g)) return rc;
    return SQLITE_OK;
}

int gatherClose(sqlite3_file* file) {
    GatherFile* g = gather(file);
    int rc = flush(g);
    for (GatherFile** at = &gDatabases; *at; at = &(*at)->nextDatabase) {
        if (*at == g) {
            *at = g->nextDatabase;
            break;
        }
    }
    if (g->database && g->wal) g->wal->owner = nullptr;
    if (!g->database && g->owner) {
        if (int flushed = flush(g->owner)) rc = rc != SQLITE_OK ? rc : flushed;
        g->owner->wal = nullptr;  // no WAL, no gathering (a rollback journal orders writes by sync)
    }
#ifndef __EMSCRIPTEN__
    unmapWal(g);
    if (g->fd >= 0) close(g->fd);
    g->fd = -1;
#endif
    int closed = g->real->pMethods->xClose(g->real);
    sqlite3_free(g->buffer);
    g->buffer = nullptr;
    return rc != SQLITE_OK ? rc : closed;
}

int gatherRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
#ifndef __EMSCRIPTEN__
    GatherFile* g = gather(file);
    if (int rc = flush(g)) return rc;
    if (g->map && offset + amount <= g->mapSize) {
        std::memcpy(out, g->map + offset, size_t(amount));
        return SQLITE_OK;
    }
#else
    if (int rc = flush(gather(file))) return rc;
#endif
    return real(file)->pMethods->xRead(real(file), out, amount, offset);
}

int gatherWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    GatherFile* g = gather(file);
    if (g->database && g->wal) {
        if (g->used != 0 && (offset != g->start + g->used || g->used + amount > kMaxGathered)) {
            if (int rc = flush(g)) return rc;
        }
        if (amount > kMaxGathered) return g->real->pMethods->xWrite(g->real, data, amount, offset);
        if (g->capacity < kMaxGathered) {
            char* grown = static_cast<char*>(sqlite3_realloc(g->buffer, kMaxGathered));
            if (!grown) return g->real->pMethods->xWrite(g->real, data, amount, offset);
            g->buffer = grown;
            g->capacity = kMaxGathered;
        }
        if (g->used == 0) g->start = offset;
        std::memcpy(g->buffer + g->used, data, size_t(amount));
        g->used += amount;
        return SQLITE_OK;
    }
    if (g->database) return g->real->pMethods->xWrite(g->real, data, amount, offset);
    if (offset < kWalHeaderSize) {
        if (int rc = flushDatabases()) return rc;  // a new WAL: the checkpoint's pages go first
    }
#ifndef __EMSCRIPTEN__
    if (g->fd >= 0) return walWrite(g, data, amount, offset);
#endif
    // Not mapped (no descriptor of our own): straight through, one write per header and page.
    return g->real->pMethods->xWrite(g->real, data, amount, offset);
}

int gatherTruncate(sqlite3_file* file, sqlite3_int64 size) {
    if (int rc = flush(gather(file))) return rc;
#ifndef __EMSCRIPTEN__
    unmapWal(gather(file));  // mapped again by the next write; a mapping past the end would fault
#endif
    return real(file)->pMethods->xTruncate(real(file), size);
}

int gatherSync(sqlite3_file* file, int flags) {
    GatherFile* g = gather(file);
    if (int rc = flush(g)) return rc;
#ifndef __EMSCRIPTEN__
    // The mapping's pages are dropped first (they stay in the page cache; the next access maps
    // them again): to write back a page that is mapped, the kernel write-protects it in each
    // mapping and flushes the TLBs, page by page, and on this guest that was 9% of scenario 1's
    // time on SQLite one change at a time (perf: the checkpoint's fsync, ptep_clear_flush,
    // smp_call_function_many_cond). MADV_DONTNEED unmaps them all with one flush (a dirty page
    // stays dirty in the page cache). Alternated pairs, scenario 1 one change at a time: B/A 0.95
    // at 10,000 rooms, 0.90 at 100,000; batched 0.99.
    if (g->map) madvise(g->map, size_t(g->mapSize), MADV_DONTNEED);
    g->populated = 0;  // dropped: the next store into each page faults it in again
#endif
    return real(file)->pMethods->xSync(real(file), flags);
}

int gatherFileSize(sqlite3_file* file, sqlite3_int64* size) {
    if (int rc = flush(gather(file))) return rc;
    return real(file)->pMethods->xFileSize(real(file), size);
}

int gatherLock(sqlite3_file* file, int lock) {
    if (int rc = flush(gather(file))) return rc;
    return real(file)->pMethods->xLock(real(file), lock);
}
int gatherUnlock(sqlite3_file* file, int lock) {
    if (int rc = flush(gather(file))) return rc;
    return real(file)->pMethods->xUnlock(real(file), lock);
}
int gatherCheckReservedLock(sqlite3_file* file, int* out) {
    return real(file)->pMethods->xCheckReservedLock(real(file), out);
}

int gatherFileControl(sqlite3_file* file, int op, void* arg) {
    if (int rc = flush(gather(file))) return rc;
    return real(file)->pMethods->xFileControl(real(file), op, arg);
}

int gatherSectorSize(sqlite3_file* file) { return real(file)->pMethods->xSectorSize(real(file)); }
int gatherDeviceCharacteristics(sqlite3_file* file) {
    return real(file)->pMethods->xDeviceCharacteristics(real(file));
}

// A WAL file never uses shared memory or memory mapping; these forward for completeness.
int gatherShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
    return real(file)->pMethods->xShmMap(real(file), region, size, extend, out);
}
int gatherShmLock(sqlite3_file* file, int offset, int n, int flags) {
    return real(file)->pMethods->xShmLock(real(file), offset, n, flags);
}
void gatherShmBarrier(sqlite3_file* file) { real(file)->pMethods->xShmBarrier(real(file)); }
int gatherShmUnmap(sqlite3_file* file, int deleteFlag) {
    return real(file)->pMethods->xShmUnmap(real(file), deleteFlag);
}
int gatherFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    if (int rc = flush(gather(file))) return rc;
    return real(file)->pMethods->xFetch(real(file), offset, amount, out);
}
int gatherUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
    return real(file)->pMethods->xUnfetch(real(file), offset, p);
}

sqlite3_io_methods gatherMethods(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = gatherClose;
    m.xRead = gatherRead;
    m.xWrite = gatherWrite;
    m.xTruncate = gatherTruncate;
    m.xSync = gatherSync;
    m.xFileSize = gatherFileSize;
    m.xLock = gatherLock;
    m.xUnlock = gatherUnlock;
    m.xCheckReservedLock = gatherCheckReservedLock;
    m.xFileControl = gatherFileControl;
    m.xSectorSize = gatherSectorSize;
    m.xDeviceCharacteristics = gatherDeviceCharacteristics;
    if (version >= 2) {
        m.xShmMap = gatherShmMap;
        m.xShmLock = gatherShmLock;
        m.xShmBarrier = gatherShmBarrier;
        m.xShmUnmap = gatherShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = gatherFetch;
        m.xUnfetch = gatherUnfetch;
    }
    return m;
}

const sqlite3_io_methods kMethods[3] = {gatherMethods(1), gatherMethods(2), gatherMethods(3)};

int gatherOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
    sqlite3_vfs* base = realVfs(vfs);
    const bool database = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    if (!(flags & SQLITE_OPEN_WAL) && !database) return base->xOpen(base, name, file, flags, outFlags);
    GatherFile* g = gather(file);
    std::memset(g, 0, sizeof(GatherFile));
    g->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + realOffset());
    int rc = base->xOpen(base, name, g->real, flags, outFlags);
    if (rc != SQLITE_OK || !g->real->pMethods) {
        g->base.pMethods = nullptr;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    int version = g->real->pMethods->iVersion;
    g->base.pMethods = &kMethods[version >= 3 ? 2 : version == 2 ? 1 : 0];
    g->fd = -1;
    g->name = name;
    if (database) {
        g->database = true;
        g->nextDatabase = gDatabases;
        gDatabases = g;
        return SQLITE_OK;
    }
    // The WAL of "NAME" is "NAME-wal" (sqlite3.c, pagerOpenWal).
    for (GatherFile* d = gDatabases; d && name; d = d->nextDatabase) {
        size_t n = d->name ? std::strlen(d->name) : 0;
        if (n && std::strncmp(d->name, name, n) == 0 && std::strcmp(name + n, "-wal") == 0) {
            d->wal = g;
            g->owner = d;
            break;
        }
    }
#ifndef __EMSCRIPTEN__
    // Our own descriptor of the same file, to map and grow it (the unix VFS keeps its own to
    // itself). Without one the writes are gathered instead.
    if (name && !(flags & SQLITE_OPEN_READONLY)) g->fd = open(name, O_RDWR | O_CLOEXEC);
#endif
    return SQLITE_OK;
}

int gatherDelete(sqlite3_vfs* vfs, const char* name, int syncDir) {
    return realVfs(vfs)->xDelete(realVfs(vfs), name, syncDir);
}
int gatherAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
    return realVfs(vfs)->xAccess(realVfs(vfs), name, flags, out);
}
int gatherFullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
    return realVfs(vfs)->xFullPathname(realVfs(vfs), name, size, out);
}
int gatherRandomness(sqlite3_vfs* vfs, int size, char* out) {
    return realVfs(vfs)->xRandomness(realVfs(vfs), size, out);
}
int gatherSleep(sqlite3_vfs* vfs, int micros) { return realVfs(vfs)->xSleep(realVfs(vfs), micros); }
int gatherCurrentTime(sqlite3_vfs* vfs, double* out) { return realVfs(vfs)->xCurrentTime(realVfs(vfs), out); }
int gatherGetLastError(sqlite3_vfs* vfs, int size, char* out) {
    return realVfs(vfs)->xGetLastError ? realVfs(vfs)->xGetLastError(realVfs(vfs), size, out) : 0;
}
int gatherCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
    return realVfs(vfs)->xCurrentTimeInt64(realVfs(vfs), out);
}

sqlite3_vfs* registerGather() {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (!base) return nullptr;
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = realOffset() + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = "cq-wal-gather";
    vfs.pAppData = base;
    vfs.xOpen = gatherOpen;
    vfs.xDelete = gatherDelete;
    vfs.xAccess = gatherAccess;
    vfs.xFullPathname = gatherFullPathname;
    // Extension loading is compiled out (SQLITE_OMIT_LOAD_EXTENSION): never called.
    vfs.xDlOpen = base->xDlOpen;
    vfs.xDlError = base->xDlError;
    vfs.xDlSym = base->xDlSym;
    vfs.xDlClose = base->xDlClose;
    vfs.xRandomness = gatherRandomness;
    vfs.xSleep = gatherSleep;
    vfs.xCurrentTime = gatherCurrentTime;
    vfs.xGetLastError = gatherGetLastError;
    vfs.xCurrentTimeInt64 = base->iVersion >= 2 && base->xCurrentTimeInt64 ? gatherCurrentTimeInt64 : nullptr;
    if (!vfs.xCurrentTimeInt64) vfs.iVersion = 1;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
    return &vfs;
}

}  // namespace

const char* walGatherVfs() {
    static sqlite3_vfs* vfs = registerGather();
    return vfs ? vfs->zName : nullptr;
}

}  // namespace cq::sqlitedb
