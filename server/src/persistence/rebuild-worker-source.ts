/**
 * The compaction rebuild's worker thread (rebuild-worker.ts), as source text for
 * `new Worker(source, { eval: true })`: the server runs from `dist/` and its tests from the
 * TypeScript sources, so no file path would work in both; an eval'd worker needs none. Node
 * evaluates it as CommonJS, or as an ES module under `--input-type=module`, so it only uses what
 * works in both: dynamic `import()` of the Yjs build the main thread resolved.
 *
 * Protocol: main → worker { id, snapshot, updates } (a StoredDocument's bytes); worker → main
 * { id, state } (the rebuilt document, encoded: what `Y.encodeStateAsUpdate` gives for a fresh
 * Y.Doc with those bytes applied in one transaction, exactly as the main thread does it) or
 * { id, error }.
 */
export const REBUILD_WORKER_SOURCE = `
(async () => {
const { parentPort, workerData } = await import('node:worker_threads');
const yjs = await import(workerData.yjsUrl);
const Y = yjs.default ?? yjs;

parentPort.on('message', (message) => {
  if (message.type === 'stop') {
    parentPort.close();
    return;
  }
  try {
    const doc = new Y.Doc({ gc: true });
    doc.transact(() => {
      if (message.snapshot) Y.applyUpdate(doc, message.snapshot);
      for (const update of message.updates) Y.applyUpdate(doc, update);
    });
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    parentPort.postMessage({ id: message.id, state }, [state.buffer]);
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      error: error && error.message ? String(error.message) : String(error),
    });
  }
});
})();
`;
