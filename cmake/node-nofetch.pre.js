// SPDX-License-Identifier: MIT
// Pre-js for the non-modular Node executables (unit tests, the wasm CLI) that ctest runs as `node x.js`.
// 3.1.6's glue calls Node's global fetch() with a file path, which rejects ("Failed to parse URL");
// hiding fetch makes it read the .wasm with fs instead (toolchain-notes 1.8, pitfall 1).
var fetch = (typeof process == 'object' && typeof process.versions == 'object' && process.versions.node) ? undefined : globalThis.fetch;
