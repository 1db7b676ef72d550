/**
 * /metrics after a real editing session over a real socket (SQLite in a temp directory): it
 * parses as Prometheus text, carries prom-client's process metrics and Quire's histograms with
 * observations, names no document in any label, and keeps two servers of one process apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { MemoryStorage } from '../../src/index.js';
import {
  histogramCount,
  parsePrometheusText,
  sampleValue,
  type Family,
} from './prometheus-text.js';

/** A name that must never show up in /metrics (private, and unbounded as a label). */
const DOC = 'private/board-minutes-7f3a';

async function scrape(httpUrl: string): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await fetch(`${httpUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, families: parsePrometheusText(text) };
}

describe('/metrics', () => {
  const dir = tempDir();
  let running: RunningServer;
  let editor: StockClient;

  beforeAll(async () => {
    running = await startServer({ dataDir: dir.path });
    editor = stockClient(running.wsUrl, DOC);
    await waitSynced(editor);
    editor.text.insert(0, 'minutes of the board');
    // The persisted ack follows the group commit's fsync: poll until it was observed.
    await waitFor(
      async () =>
        (histogramCount((await scrape(running.httpUrl)).families, 'quire_persisted_ack_seconds') ??
          0) > 0,
      5_000,
      'a persisted-ack observation',
    );
  });
  afterAll(async () => {
    editor.destroy();
    await running.close();
    dir.remove();
  });

  it('parses as Prometheus text with the process metrics of prom-client', async () => {
    const { families } = await scrape(running.httpUrl);
    const types = Object.fromEntries([...families.values()].map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
      nodejs_gc_duration_seconds: 'histogram',
    });
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    for (const family of families.values()) expect(family.help, family.name).not.toBe('');
  });

  it('has observations in each histogram of the session: fsync, append, ack, load, message size', async () => {
    const { families } = await scrape(running.httpUrl);
    for (const name of [
      'quire_fsync_seconds',
      'quire_storage_append_seconds',
      'quire_persisted_ack_seconds',
      'quire_document_load_seconds',
      'quire_message_received_bytes',
    ]) {
      expect(histogramCount(families, name), name).toBeGreaterThan(0);
    }
    // Declared with no observation yet on this server (no bus, no PostgreSQL).
    for (const name of ['quire_bus_catch_up_seconds', 'quire_postgres_commit_seconds']) {
      expect(families.get(name)?.type, name).toBe('histogram');
    }
    const buckets = families
      .get('quire_message_received_bytes')!
      .samples.filter((s) => s.name.endsWith('_bucket'));
    const inf = buckets.find((s) => s.labels.le === '+Inf')!.value;
    expect(inf).toBe(histogramCount(families, 'quire_message_received_bytes'));
  });

  it('keeps the counters and gauges of before, by the same names', async () => {
    const { families } = await scrape(running.httpUrl);
    expect(families.get('quire_connections_opened_total')?.type).toBe('counter');
    expect(sampleValue(families, 'quire_connections_opened_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'quire_updates_persisted_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'quire_messages_received_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'quire_connections')).toBe(1);
    expect(sampleValue(families, 'quire_rooms')).toBe(1);
    expect(sampleValue(families, 'quire_storage_rollbacks_reported_total')).toBe(0);
    expect(sampleValue(families, 'quire_ready', { check: 'storage' })).toBe(1);
    expect(sampleValue(families, 'quire_unsaved_documents')).toBe(0);
  });

  it("names no document: Quire's labels are only le, reason and check", async () => {
    const { text, families } = await scrape(running.httpUrl);
    expect(text).not.toContain('board-minutes');
    const quire = [...families.values()].filter((f) => f.name.startsWith('quire_'));
    const labelNames = new Set(
      quire.flatMap((f) => f.samples.flatMap((s) => Object.keys(s.labels))),
    );
    expect([...labelNames].sort()).toEqual(['check', 'le']);
    const checks = families.get('quire_ready')!.samples.map((s) => s.labels.check);
    expect(checks.sort()).toEqual(['server', 'storage']);
  });

  it('keeps two servers of one process apart: each counts its own connections', async () => {
    const other = await startServer({ storage: new MemoryStorage() });
    const client = stockClient(other.wsUrl, 'elsewhere');
    try {
      await waitSynced(client);
      const mine = await scrape(running.httpUrl);
      const theirs = await scrape(other.httpUrl);
      expect(sampleValue(theirs.families, 'quire_connections_opened_total')).toBe(1);
      expect(sampleValue(mine.families, 'quire_connections')).toBe(1);
      expect(sampleValue(theirs.families, 'quire_connections')).toBe(1);
      expect(theirs.families.has('process_cpu_user_seconds_total')).toBe(true);
    } finally {
      client.destroy();
      await other.close();
    }
  });
});
