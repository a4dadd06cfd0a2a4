// SPDX-License-Identifier: MIT
// Hand-written typings of the Emscripten 3.1.6 glue (cqlite.mjs): emcc writes none. Only what the
// package uses: the factory, the exported C ABI (wasm/cq_api.h) and the runtime methods listed in
// cmake/emscripten.cmake.

export interface CqliteModuleOptions {
  /** The .wasm bytes: the glue then neither fetches nor reads a file (edge runtimes, tests). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where the glue looks for cqlite.wasm. */
  locateFile?: (path: string, prefix: string) => string;
  /** The OPFS slot pool the "opfs-sah" SQLite VFS calls (browser dedicated workers). */
  sahPool?: unknown;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

export interface EmscriptenFS {
  mkdir(path: string): void;
  mount(type: unknown, opts: { root: string }, mountpoint: string): void;
  unmount(mountpoint: string): void;
  analyzePath(path: string): { exists: boolean };
  filesystems: Record<string, unknown>;
}

export interface CqliteModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: unknown[]) => unknown;
  ccall(name: string, returnType: string | null, argTypes: string[], args: unknown[]): unknown;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  stringToUTF8(text: string, ptr: number, maxBytes: number): void;
  lengthBytesUTF8(text: string): number;
  getValue(ptr: number, type: string): number;
  setValue(ptr: number, value: number, type: string): void;
  HEAPU8: Uint8Array;
  FS: EmscriptenFS;
}

declare function createCqliteModule(options?: CqliteModuleOptions): Promise<CqliteModule>;
export default createCqliteModule;
