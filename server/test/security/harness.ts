/**
 * The hostile-input suite's test bed: a real server on port 0 (MemoryStorage unless given), a
 * captured log, and the checks every case ends with (docs/threat-model.md, "The checks every
 * hostile-input case ends with"):
 *  - no uncaughtException / unhandledRejection in this process (the server runs in it);
 *  - canary clients on another document and on the attacked one still round-trip an edit;
 *  - the persisted bytes of an untouched document are unchanged, and the attacked document
 *    holds exactly the legitimate text;
 *  - no bytes of the attack payload appear in persisted state.
 * Memory is bounded in the exhaustion tests (exhaustion-*.test.ts), where it means something.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import * as Y from 'yjs';
import {
  MemoryStorage,
  signToken,
  type Logger,
  type QuireServerOptions,
  type StorageAdapter,
} from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { attack } from './attack.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';

/** 32+ characters, as the server requires. */
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const UNTOUCHED_DOC = 'untouched';
export const CANARY_DOC = 'canary';
const UNTOUCHED_TEXT = 'nobody attacks this document';

export interface Harness {
  running: RunningServer;
  storage: StorageAdapter;
  /** Every log line the server wrote, as `LEVEL message {fields}`. */
  logs: string[];
  wsUrl: string;
  /** Token params for stock clients (empty in open mode). */
  params(doc?: string, mode?: 'rw' | 'ro'): Promise<Record<string, string>>;
  /** A URL for raw sockets, with a token when auth is on. */
  url(doc: string, mode?: 'rw' | 'ro'): Promise<string>;
  /** A synced stock client. */
  client(doc: string, mode?: 'rw' | 'ro'): Promise<StockClient>;
  /** The global oracle; `expectedText` is the attacked document's legitimate content. */
  oracle(attackedDoc: string, expectedText?: string, forbidden?: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

const processErrors: unknown[] = [];
let listening = false;
function watchProcess(): void {
  if (listening) return;
  listening = true;
  process.on('uncaughtException', (error) => processErrors.push(error));
  process.on('unhandledRejection', (error) => processErrors.push(error));
}

export function captureLogger(lines: string[]): Logger {
  const push =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  return { debug: push('DEBUG'), info: push('INFO'), warn: push('WARN'), error: push('ERROR') };
}

export async function startHarness(
  options: QuireServerOptions & { auth?: boolean } = {},
): Promise<Harness> {
  watchProcess();
  const logs: string[] = [];
  const { auth, ...serverOptions } = options;
  const storage = serverOptions.storage ?? new MemoryStorage();
  const running = await startServer({
    storage,
    logger: captureLogger(logs),
    ...(auth ? { secret: TEST_SECRET } : {}),
    ...serverOptions,
  });
  const clients: StockClient[] = [];
  const params = async (doc = '*', mode: 'rw' | 'ro' = 'rw'): Promise<Record<string, string>> =>
    auth
      ? { token: await signToken({ secret: TEST_SECRET, doc, mode, sub: `canary-${mode}` }) }
      : {};
  const client = async (doc: string, mode: 'rw' | 'ro' = 'rw') => {
    const c = stockClient(running.wsUrl, doc, { params: await params(doc, mode) });
    clients.push(c);
    await waitSynced(c);
    return c;
  };

  // A document nobody attacks: its stored bytes must never change.
  const seed = await client(UNTOUCHED_DOC);
  seed.text.insert(0, UNTOUCHED_TEXT);
  await waitFor(() => running.server.metrics.updatesPersisted >= 1, 5_000, 'seed persisted');
  seed.destroy();
  // Its room unloads (final flush + compaction) before the bytes are taken as the baseline.
  await waitFor(
    () => !running.server.loadedDocuments().includes(UNTOUCHED_DOC),
    5_000,
    'seed document unloaded',
  );
  const untouchedBefore = await storedBytes(storage, UNTOUCHED_DOC);

  const roundTrip = async (doc: string) => {
    const writer = await client(doc);
    const reader = await client(doc);
    const marker = `canary-${Math.random().toString(36).slice(2)}`;
    writer.text.insert(writer.text.length, marker);
    await waitFor(() => reader.text.toString().includes(marker), 5_000, `canary on ${doc}`);
    writer.text.delete(writer.text.toString().indexOf(marker), marker.length);
    await waitFor(() => !reader.text.toString().includes(marker), 5_000, `canary undo on ${doc}`);
    writer.destroy();
    reader.destroy();
  };

  return {
    running,
    storage,
    logs,
    wsUrl: running.wsUrl,
    params,
    url: async (doc, mode = 'rw') => {
      const p = await params(doc, mode);
      const query = p.token ? `?token=${p.token}` : '';
      return `${running.wsUrl}/${doc}${query}`;
    },
    client,
    oracle: async (attackedDoc, expectedText, forbidden) => {
      expect(processErrors).toEqual([]);
      await roundTrip(CANARY_DOC);
      await roundTrip(attackedDoc);
      expect(await storedBytes(storage, UNTOUCHED_DOC)).toEqual(untouchedBefore);
      if (expectedText !== undefined) {
        expect(await storedText(storage, attackedDoc)).toBe(expectedText);
      }
      if (forbidden && forbidden.length >= 4) {
        const stored = await storedBytes(storage, attackedDoc);
        expect(Buffer.from(stored).includes(Buffer.from(forbidden))).toBe(false);
      }
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await running.close();
    },
  };
}

/** Everything stored for a document, concatenated (snapshot then log). */
export async function storedBytes(storage: StorageAdapter, doc: string): Promise<Uint8Array> {
  const stored = await storage.load(doc);
  if (!stored) return new Uint8Array();
  return Buffer.concat([stored.snapshot ?? new Uint8Array(), ...stored.updates]);
}

export async function storedText(storage: StorageAdapter, doc: string): Promise<string> {
  const stored = await storage.load(doc);
  const ydoc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(ydoc, stored.snapshot);
  for (const u of stored?.updates ?? []) Y.applyUpdate(ydoc, u);
  return ydoc.getText('text').toString();
}

/** Sends `messages` to a fresh document, expects the given close code, then runs the oracle. */
export async function expectCloseThenOracle(
  h: Harness,
  doc: string,
  messages: (Uint8Array | string)[],
  code: number,
  legitimateText = '',
): Promise<void> {
  const result = await attack(await h.url(doc), messages);
  expect(result.code).toBe(code);
  await h.oracle(doc, legitimateText);
}

/** One harness for a describe block: started before its tests, closed after them. `h()` is the
 * running harness; `expectClose` is expectCloseThenOracle bound to it. */
export function harnessPerSuite(): {
  h: () => Harness;
  expectClose: (
    doc: string,
    messages: (Uint8Array | string)[],
    code: number,
    legitimateText?: string,
  ) => Promise<void>;
} {
  let running: Harness | null = null;
  beforeAll(async () => {
    running = await startHarness();
  });
  afterAll(async () => {
    await running?.close();
  });
  const h = (): Harness => {
    if (!running) throw new Error('the harness has not started');
    return running;
  };
  return {
    h,
    expectClose: (doc, messages, code, legitimateText = '') =>
      expectCloseThenOracle(h(), doc, messages, code, legitimateText),
  };
}
