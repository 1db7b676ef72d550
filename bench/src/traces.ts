/**
 * Real editing traces (../shared/traces, josephg/editing-traces): replayed into a Y.Doc in the
 * load generator, cut into a series of updates as if the document had been edited over many
 * sessions. The trace's endContent is the correctness oracle for every replica.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';

const TRACES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/traces');

export const TEXT_NAME = 'text';

interface TraceFile {
  startContent: string;
  endContent: string;
  txns: { patches: [number, number, string][] }[];
}

export interface ReplayedTrace {
  name: string;
  endContent: string;
  /** The history as `chunks` successive updates; applied in order they rebuild the document. */
  updates: Uint8Array[];
  stateBytes: number;
}

/** `textName`: the Y.Text the history is written to (the demo editor's is 'codemirror'). */
export function replayTrace(name: string, chunks: number, textName = TEXT_NAME): ReplayedTrace {
  const path = join(TRACES_DIR, `${name}.json.gz`);
  let trace: TraceFile;
  try {
    trace = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as TraceFile;
  } catch (error) {
    throw new Error(`cannot read trace ${path}: ${(error as Error).message}`);
  }
  const doc = new Y.Doc();
  const text = doc.getText(textName);
  if (trace.startContent) text.insert(0, trace.startContent);
  const updates: Uint8Array[] = [];
  let stateVector: Uint8Array = new Uint8Array([0]);
  const perChunk = Math.ceil(trace.txns.length / chunks);
  trace.txns.forEach((txn, i) => {
    doc.transact(() => {
      for (const [pos, deleted, inserted] of txn.patches) {
        if (deleted > 0) text.delete(pos, deleted);
        if (inserted) text.insert(pos, inserted);
      }
    });
    if ((i + 1) % perChunk === 0 || i === trace.txns.length - 1) {
      updates.push(Y.encodeStateAsUpdate(doc, stateVector));
      stateVector = Y.encodeStateVector(doc);
    }
  });
  if (text.toString() !== trace.endContent) {
    throw new Error(`replaying ${name} did not reach its endContent`);
  }
  return {
    name,
    endContent: trace.endContent,
    updates,
    stateBytes: Y.encodeStateAsUpdate(doc).length,
  };
}
