// SPDX-License-Identifier: MIT
// Pre-js for the -sMODULARIZE -sEXPORT_ES6 library build (Emscripten 3.1.6), so that ONE glue file
// runs in Node >= 20.16, in a page and in module or classic workers (toolchain-notes 1.8):
//  * an ES module has no require/__dirname, which 3.1.6's Node branch uses -> build them from
//    import.meta.url (process.getBuiltinModule is synchronous, Node 20.16+);
//  * Node's global fetch() rejects plain paths -> hide fetch so the glue reads the wasm with fs;
//  * EXPORT_ES6 resolves the wasm as a file:// URL that the fs reader cannot open -> locateFile.
// EMSCRIPTEN$IMPORT$META is emcc's internal spelling of import.meta: a pre-js is not preprocessed, and
// plain import.meta crashes 3.1.6's terser. Revisit this file if emcc is ever upgraded.
var require, __dirname, fetch = globalThis.fetch;
if (typeof process == 'object' && typeof process.versions == 'object' && typeof process.versions.node == 'string') {
  require = process.getBuiltinModule('module').createRequire(EMSCRIPTEN$IMPORT$META.url);
  __dirname = require('path').dirname(require('url').fileURLToPath(EMSCRIPTEN$IMPORT$META.url));
  fetch = undefined;
  if (!Module['locateFile']) Module['locateFile'] = function (path, prefix) { return prefix + path; };
}
