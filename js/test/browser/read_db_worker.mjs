// SPDX-License-Identifier: MIT
// Reads a database file out of an OPFS slot pool (closed first by its owner): finds the slot whose
// 4096-byte header names `file` and returns the SQLite bytes after the header, so the test can
// check them outside the browser (integrity_check, the native CLI).
self.onmessage = async ({ data }) => {
  try {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(data.directory);
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind !== 'file' || !name.startsWith('slot-')) continue;
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      const end = bytes.subarray(0, 512).indexOf(0);
      const header = new TextDecoder().decode(bytes.subarray(0, end < 0 ? 512 : end));
      if (header === data.file) {
        const db = bytes.subarray(4096);
        let text = '';
        for (let i = 0; i < db.length; i += 0x8000) text += String.fromCharCode(...db.subarray(i, i + 0x8000));
        self.postMessage({ slot: name, base64: btoa(text) });
        return;
      }
    }
    self.postMessage({ error: `no slot holds ${data.file}` });
  } catch (e) {
    self.postMessage({ error: String(e?.stack ?? e) });
  }
};
