// SPDX-License-Identifier: MIT
// The browser test page: the package's browser entry as plain ES modules from dist/, plus helpers
// the test calls through page.evaluate(). OPFS sync handles exist only in dedicated workers, so the
// engine always runs in one (WorkerEngine, or the test's own workers below).
import * as cqlite from '../../../dist/browser.js';

window.cqlite = cqlite;

/** Starts a module worker of this folder, sends it `message` and resolves with its one reply. */
window.runWorker = (script, message) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL(script, import.meta.url), { type: 'module' });
    worker.onmessage = (ev) => {
      worker.terminate();
      if (ev.data && ev.data.error) reject(new Error(ev.data.error));
      else resolve(ev.data);
    };
    worker.onerror = (ev) => {
      worker.terminate();
      reject(new Error(`worker ${script}: ${ev.message}`));
    };
    worker.postMessage(message);
  });

/** Turns an error into something page.evaluate can return. */
window.describeError = (e) => ({
  name: e?.name,
  code: e?.code,
  message: String(e?.message ?? e),
  isCqError: e instanceof cqlite.CqError,
  isLocked: e instanceof cqlite.CqStorageLockedError,
});

window.pageReady = true;
