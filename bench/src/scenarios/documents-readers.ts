/**
 * How the documents scenario knows what its clients hold: by the state vector of what each one
 * received (see documents.ts for why not by sync step 2), and by a real replica's text for the
 * correctness gate.
 */
import * as Y from 'yjs';
import { BenchClient } from '../bench-client.js';
import { pollUntil } from '../stats.js';
import { TEXT_NAME } from '../traces.js';
import { closeAll, type ScenarioContext } from './common.js';

/** How often the clients' received content is checked while waiting for all of it. */
const CONTENT_POLL_MS = 20;
/** Readers opened at once by `allSeen`. */
const READER_BATCH = 25;

/** Follows what one client received, by state vector, until it covers `expected`. Reads only
 * the updates' struct headers (Yjs' lazy reader), so a hundred clients cost the load generator
 * little. */
export class ContentWatch {
  private readonly have = new Map<number, number>();
  complete = false;
  constructor(private readonly expected: Map<number, number>) {}

  received(update: Uint8Array): void {
    if (this.complete) return;
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
      if (clock > (this.have.get(client) ?? 0)) this.have.set(client, clock);
    }
    this.complete = [...this.expected].every(
      ([client, clock]) => (this.have.get(client) ?? 0) >= clock,
    );
  }
}

/** Resolves once every watch is complete (or after `timeoutMs`); resolves whether they all were. */
export async function allComplete(
  watches: readonly ContentWatch[],
  timeoutMs: number,
): Promise<boolean> {
  return pollUntil(() => watches.every((w) => w.complete), timeoutMs, CONTENT_POLL_MS);
}

/** Opens a reader per document, `READER_BATCH` at a time, and waits until each has received the
 * state `expected[i]`, all of them within `timeoutMs`; resolves whether all did. */
export async function allSeen(
  ctx: ScenarioContext,
  expected: readonly Map<number, number>[],
  name: (i: number) => string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (let start = 0; start < expected.length; start += READER_BATCH) {
    const batch = expected.slice(start, start + READER_BATCH);
    const watches = batch.map((sv) => new ContentWatch(sv));
    const readers = watches.map(
      (watch, k) =>
        new BenchClient({
          ...ctx.clientOptions(name(start + k)),
          onUpdate: (update) => watch.received(update),
        }),
    );
    const all = await allComplete(watches, Math.max(0, deadline - performance.now()));
    await closeAll(readers);
    if (!all) return false;
  }
  return true;
}

/** Opens a client with a real replica and waits (up to `timeoutMs`) until its text is
 * `expected`; resolves whether it was. */
export async function openWithText(
  ctx: ScenarioContext,
  name: string,
  expected: string,
  timeoutMs: number,
): Promise<boolean> {
  const doc = new Y.Doc();
  const text = doc.getText(TEXT_NAME);
  const client = new BenchClient({ ...ctx.clientOptions(name), doc });
  await pollUntil(() => text.length === expected.length, timeoutMs, 10);
  const ok = text.toString() === expected;
  await closeAll([client]);
  doc.destroy();
  return ok;
}
