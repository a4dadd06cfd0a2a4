/* SPDX-License-Identifier: MIT
 * The C ABI of cqlite: what the WebAssembly module exports and the TypeScript package calls.
 * JSON in, JSON out. Every string a function returns is owned by cqlite and stays valid until the
 * next call on the same engine (or, for engine-less calls, the next engine-less call); copy it
 * before calling again. No C++ exception ever crosses this boundary.
 *
 * A response is {"ok": true, "result": ...} or
 * {"ok": false, "error": {"code": "ParseError", "number": 1, "message": "...", "line": 3, "column": 7}}
 * (line and column only for Cypher errors). Codes: core/common/error_codes.def.
 */
#ifndef CQ_API_H
#define CQ_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cq_engine cq_engine;

/* Opens an engine. options: {"storage": "memory" | "sqlite", "path": "file.db" | ":memory:",
 * "archive": true, "clock": "system" | "manual", "vfs": "opfs-sah" (SQLite VFS, optional),
 * "journal_mode": "TRUNCATE" (optional)}. SQLite without a path (or ":memory:") is an in-memory
 * database that cq_snapshot can save. Returns NULL on failure; cq_last_error() tells why. */
cq_engine* cq_engine_open(const char* options_json);
/* The response describing why the last cq_engine_open failed. */
const char* cq_last_error(void);
/* Closes the engine and frees everything it owns (including returned strings). */
void cq_engine_close(cq_engine* engine);

/* Registers a query: {"id", "cypher", "joins"?, "middleware"?, "source_pipelines"?, "pipeline"?}. */
const char* cq_query_register(cq_engine* engine, const char* query_json);
const char* cq_query_remove(cq_engine* engine, const char* query_id);
/* result: [{"id", "cypher", ...}, ...] in registration order. */
const char* cq_query_list(cq_engine* engine);
/* result: the query's current rows, [{column: value}, ...]. */
const char* cq_query_results(cq_engine* engine, const char* query_id);

/* Applies one change (a CHANGE object) or a batch (an array of them) in one transaction.
 * result: [{"query": id, "diffs": [DIFF, ...], "error"?: {...}}, ...], one entry per query. */
const char* cq_apply(cq_engine* engine, const char* changes_json);
/* Fires every future due at or before now_ms (ms since the epoch). result: as cq_apply. */
const char* cq_advance_time(cq_engine* engine, double now_ms);
/* The earliest due time of any query's future, or -1 when there is none. */
double cq_next_due_time(cq_engine* engine);
/* With "clock": "manual", sets the host clock that timestamp() and datetime() read. */
void cq_set_wall_clock(cq_engine* engine, double now_ms);

/* Runs one conformance scenario. options: {"storage": "memory" | "sqlite", "known": {...},
 * "pending": ["file", ...], "path"?: "/s.db", "vfs"?: "opfs-sah", "journal_mode"?: "WAL"}. With a path (storage "sqlite")
 * the scenario runs on that database file (through the named VFS), emptied before and removed after. result: {"name", "status": "PASS" | "FAIL" | "KNOWN" | "PENDING",
 * "message"}. */
const char* cq_scenario_run(const char* scenario_json, const char* name, const char* options_json);

/* Applies each change of an array in its own transaction, as if cq_apply were called once per
 * change (one crossing of the wasm boundary for many changes). result: one entry per change, in
 * order: the cq_apply result array, or {"error": {...}} for a change that was rejected. */
const char* cq_apply_each(cq_engine* engine, const char* changes_json);
/* cq_apply (mode 0: one change; 1: a batch) or cq_apply_each (mode 2) on `size` bytes of changes
 * in the binary form of core/model/change_binary.h instead of JSON text (the npm package's encoder,
 * js/src/change_encoder.ts). result: as those calls; input that is not of that form is an Internal
 * error (the encoder sends JSON text for anything it does not encode).
 *
 * With CQ_BINARY_RESPONSE added to the mode, a call that succeeds answers in binary instead (read by
 * js/src/response_decoder.ts; its length is cq_response_size), with the diffs of
 * core/query/diff_binary.h; a call that fails still answers {"ok": false, "error": ...}:
 *   response := u8 0xB1, u8 new_table, outputs (modes 0, 1) | u32 n, entry * n (mode 2)
 *   entry    := u8 0, outputs | u8 1, str error (the JSON of {"error": ...} of cq_apply_each)
 *   outputs  := u32 n, (str query, u32 n, diff * n, u8 0 | u8 1, str error (JSON)) * n
 * It decodes to what JSON.parse gives for the text answer's "result". Keys (column names) are
 * numbered in a table the engine keeps from one binary response to the next, as the reader does:
 * new_table 1 says this response starts it empty (an engine's first binary response, the one after
 * a call that failed, or when the table is full). */
#define CQ_BINARY_RESPONSE 4
#define CQ_BINARY_RESPONSE_MAGIC 0xB1
const char* cq_apply_binary(cq_engine* engine, const unsigned char* data, double size, int mode);
/* The length in bytes, NUL excluded, of the last response a call on `engine` returned (cq_apply,
 * cq_apply_each, cq_advance_time, ...): the host decodes it without scanning for the NUL. */
size_t cq_response_size(cq_engine* engine);

/* Edge mode: saves an in-memory SQLite engine as the bytes of an SQLite database file.
 * result: {"size": n}; the bytes are at cq_snapshot_bytes(engine) until the next call. */
const char* cq_snapshot(cq_engine* engine);
const unsigned char* cq_snapshot_bytes(cq_engine* engine);
/* Opens an in-memory SQLite engine from bytes cq_snapshot produced (options as cq_engine_open,
 * storage and path ignored). Returns NULL on failure; cq_last_error() tells why. */
cq_engine* cq_engine_restore(const char* options_json, const unsigned char* bytes, double size);

/* The library version ("0.1.0"). */
const char* cq_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CQ_API_H */
