#!/usr/bin/env node
// Crash loop (threat model F1): SIGKILL a Quire server at random moments while several writers
// edit one document, restart it on the same data directory, and check after every restart that
//   - the document loads (never a 1011, never an empty or partial document), and
//   - every edit that was acknowledged as saved (persisted ack) is present, exactly once, and
//   - every edit the server relayed to another writer is present too (written before relayed).
// Writers insert unique markers like |w1i7n42| at either end of a shared Y.Text, so no marker can
// be split by another edit. Optionally, a typing-load phase measures ack and fsync latency.
//
//   node scripts/crash-loop.mjs --iterations 1000 [--writers 3] [--measure-seconds 10] [--json]
//
// Needs the built server (npm run build). Exits 1 if anything acked or relayed was lost, a load
// failed, or a marker was duplicated. Only 127.0.0.1 is used; the data directory is temporary.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import WebSocket from 'ws';
import {
  decodeServerFrame,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
} from '@quire/shared';

const FIXTURE = fileURLToPath(
  new URL('../server/test/durability/fixtures/child-server.mjs', import.meta.url),
);
const DOC = 'crash-loop';
const MARKER = /\|w\d+i\d+n\d+\|/g;
/** How long a restarted server may take to serve the document before it counts as a failure. */
const LOAD_TIMEOUT_MS = 10_000;

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '100' },
    writers: { type: 'string', default: '3' },
    'min-kill-ms': { type: 'string', default: '20' },
    'max-kill-ms': { type: 'string', default: '600' },
    // Small, so compactions (and kills during them) happen often.
    'compact-after': { type: 'string', default: '25' },
    // Mean pause between one writer's keystrokes.
    'type-ms': { type: 'string', default: '8' },
    'measure-seconds': { type: 'string', default: '0' },
    'measure-type-ms': { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const num = (name) => Number(args[name]);

const stats = {
  iterations: 0,
  kills: 0,
  typed: 0,
  acked: new Set(),
  relayed: new Set(),
  lost: [],
  duplicated: [],
  loadFailures: [],
  ackLatencies: [],
};

function startServer(dataDir, logLevel = 'error') {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      QUIRE_LOG_LEVEL: logLevel,
      QUIRE_TEST_OPTIONS: JSON.stringify({ dataDir, compactAfterUpdates: num('compact-after') }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig)));
  const port = new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /Quire listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`server exited before listening:\n${output}`)));
  });
  return { child, port, exited, output: () => output };
}

/** A minimal y-websocket client over ws; `writer` ids type markers and track acks. */
class Client {
  constructor(port, { writer = null, iteration = 0, extensions = false } = {}) {
    this.writer = writer;
    this.iteration = iteration;
    this.doc = new Y.Doc();
    this.text = this.doc.getText('text');
    this.pending = [];
    this.count = 0;
    this.closeCode = null;
    this.synced = new Promise((resolve) => (this.onSynced = resolve));
    const query = extensions ? '?quire=1' : '';
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/${DOC}${query}`);
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('error', () => {});
    this.ws.on('close', (code) => (this.closeCode = code));
    this.ws.on('open', () => this.send(encodeSyncStep1(Y.encodeStateVector(this.doc))));
    this.ws.on('message', (data) => this.receive(new Uint8Array(data)));
    this.doc.on('update', (update, origin) => {
      if (origin !== 'remote') this.send(encodeSyncUpdate(update));
    });
    this.text.observe((event) => {
      if (event.transaction.origin !== 'remote') return;
      for (const op of event.delta) {
        if (typeof op.insert === 'string') {
          for (const m of op.insert.match(MARKER) ?? []) stats.relayed.add(m);
        }
      }
    });
  }

  send(frame) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  receive(bytes) {
    const frame = decodeServerFrame(bytes);
    if (frame.kind === 'sync-step1') {
      this.send(encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, frame.stateVector)));
    } else if (frame.kind === 'sync-step2' || frame.kind === 'sync-update') {
      Y.applyUpdate(this.doc, frame.update, 'remote');
      if (frame.kind === 'sync-step2') this.onSynced();
    } else if (frame.kind === 'persisted-ack') {
      const durable = Y.decodeStateVector(frame.stateVector);
      const now = performance.now();
      this.pending = this.pending.filter((p) => {
        if ((durable.get(this.doc.clientID) ?? 0) < p.clockEnd) return true;
        stats.acked.add(p.marker);
        stats.ackLatencies.push(now - p.typedAt);
        return false;
      });
    }
  }

  type() {
    const marker = `|w${this.writer}i${this.iteration}n${this.count++}|`;
    this.text.insert(Math.random() < 0.5 ? 0 : this.text.length, marker);
    const clockEnd = Y.getState(this.doc.store, this.doc.clientID);
    this.pending.push({ marker, clockEnd, typedAt: performance.now() });
    stats.typed++;
  }

  /** Types until stopped, with random pauses averaging `meanMs`. */
  typeUntil(stopped, meanMs) {
    const next = () => {
      if (stopped() || this.ws.readyState !== WebSocket.OPEN) return;
      this.type();
      setTimeout(next, Math.random() * 2 * meanMs);
    };
    next();
  }

  close() {
    this.ws.terminate();
    this.doc.destroy();
  }
}

/** Loads the document through a fresh client and checks it against everything acked/relayed. */
async function verify(port, iteration) {
  const reader = new Client(port);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), LOAD_TIMEOUT_MS));
  const closed = new Promise((resolve) =>
    reader.ws.on('close', (code) => resolve(`close ${code}`)),
  );
  const outcome = await Promise.race([reader.synced.then(() => 'synced'), timeout, closed]);
  if (outcome !== 'synced') {
    stats.loadFailures.push({ iteration, outcome });
    reader.close();
    return;
  }
  if (reader.doc.store.pendingStructs || reader.doc.store.pendingDs) {
    stats.loadFailures.push({ iteration, outcome: 'document has missing dependencies' });
  }
  const counts = new Map();
  for (const m of reader.text.toString().match(MARKER) ?? []) {
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  for (const m of new Set([...stats.acked, ...stats.relayed])) {
    if (!counts.has(m)) stats.lost.push({ iteration, marker: m, acked: stats.acked.has(m) });
  }
  for (const [m, n] of counts) if (n > 1) stats.duplicated.push({ iteration, marker: m, n });
  reader.close();
}

async function killIteration(dataDir, iteration) {
  const server = startServer(dataDir);
  const port = await server.port;
  await verify(port, iteration);
  const writers = Array.from(
    { length: num('writers') },
    (_, w) => new Client(port, { writer: w, iteration, extensions: true }),
  );
  let stop = false;
  for (const w of writers) void w.synced.then(() => w.typeUntil(() => stop, num('type-ms')));
  const delay = num('min-kill-ms') + Math.random() * (num('max-kill-ms') - num('min-kill-ms'));
  await new Promise((resolve) => setTimeout(resolve, delay));
  server.child.kill('SIGKILL');
  stop = true;
  await server.exited;
  stats.kills++;
  for (const w of writers) w.close();
  stats.iterations++;
}

/** Typing load without kills: ack latency seen by clients, fsync figures from the server. */
async function measure(dataDir, seconds) {
  const server = startServer(dataDir, 'info');
  const port = await server.port;
  const latencyStart = stats.ackLatencies.length;
  const writers = Array.from(
    { length: num('writers') },
    (_, w) => new Client(port, { writer: 100 + w, iteration: 0, extensions: true }),
  );
  await Promise.all(writers.map((w) => w.synced));
  let stop = false;
  const typedBefore = stats.typed;
  for (const w of writers) w.typeUntil(() => stop, num('measure-type-ms'));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  stop = true;
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const w of writers) w.close();
  server.child.kill('SIGTERM');
  const code = await server.exited;
  // The server's shutdown line, one JSON object: {"msg":"durability stats","fsyncs":…}.
  const line = server
    .output()
    .split('\n')
    .find((l) => l.startsWith('{') && l.includes('"msg":"durability stats"'));
  const durability = line ? JSON.parse(line) : {};
  const field = (name) => Number(durability[name] ?? NaN);
  const latencies = stats.ackLatencies.slice(latencyStart);
  return {
    seconds,
    updates: stats.typed - typedBefore,
    sigtermExitCode: code,
    fsyncs: field('fsyncs'),
    fsyncsPerSecond: round(field('fsyncs') / seconds),
    writesPerFsync: round(field('writesPerFsync')),
    fsyncP50Ms: field('fsyncP50'),
    fsyncP99Ms: field('fsyncP99'),
    ackP50Ms: round(percentile(latencies, 50)),
    ackP99Ms: round(percentile(latencies, 99)),
  };
}

const round = (x) => Math.round(x * 100) / 100;
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'quire-crash-loop-'));
  const started = Date.now();
  try {
    for (let i = 0; i < num('iterations'); i++) {
      await killIteration(dataDir, i);
      if (!args.json && (i + 1) % 10 === 0) {
        console.log(
          `${i + 1} kills: ${stats.acked.size} acked, ${stats.lost.length} lost, ` +
            `${stats.loadFailures.length} load failures`,
        );
      }
    }
    const final = startServer(dataDir);
    await verify(await final.port, num('iterations'));
    final.child.kill('SIGKILL');
    await final.exited;
    const measured =
      num('measure-seconds') > 0 ? await measure(dataDir, num('measure-seconds')) : null;
    const summary = {
      kills: stats.kills,
      typed: stats.typed,
      acked: stats.acked.size,
      relayed: stats.relayed.size,
      lost: stats.lost.length,
      lostAcked: stats.lost.filter((l) => l.acked).length,
      duplicated: stats.duplicated.length,
      loadFailures: stats.loadFailures.length,
      ackP50Ms: round(percentile(stats.ackLatencies, 50)),
      ackP99Ms: round(percentile(stats.ackLatencies, 99)),
      seconds: round((Date.now() - started) / 1000),
      measured,
      examples: { lost: stats.lost.slice(0, 5), loadFailures: stats.loadFailures.slice(0, 5) },
    };
    console.log(`CRASH-LOOP-SUMMARY ${JSON.stringify(summary)}`);
    const ok = summary.lost === 0 && summary.loadFailures === 0 && summary.duplicated === 0;
    process.exitCode = ok && (measured === null || measured.sigtermExitCode === 0) ? 0 : 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
