/**
 * Every Yjs shared type, edited by stock 1.x and 3.x clients that go offline and come back:
 * formatted text with embeds, nested maps, arrays, a ProseMirror-style XML tree and maps of
 * arrays of texts. Offline edits are made while others edit live, so each reconnect merges
 * concurrent changes of every kind. At the end every replica, and a fresh client loading the
 * document from disk after a restart, must hold exactly the same thing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { waitFor } from '../helpers/clients.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import type { StockVersion } from '../helpers/stock-clients.js';
import {
  finalCloses,
  seededRandom,
  StockFleet,
  waitConverged,
  type FleetClient,
} from './stock-fleet.js';
import { createStructure, randomEdit, rootsOf, snapshot } from './stock-shared-edits.js';

const SEED = 2024;
const VERSIONS: StockVersion[] = ['v1', 'v3', 'v1', 'v3'];
const ROUNDS = 6;
const EDITS_PER_ROUND = 12;

describe('every shared type through disconnect/reconnect cycles', () => {
  const fleet = new StockFleet();
  const servers = new Set<RunningServer>();
  let dir: { path: string; remove(): void } | null = null;

  afterEach(async () => {
    fleet.destroyAll();
    await Promise.all([...servers].map((s) => s.close()));
    servers.clear();
    dir?.remove();
    dir = null;
  });

  /** A server on this test's SQLite data dir (the same one again after a restart). */
  const start = async () => {
    dir ??= tempDir('quire-shared-types-');
    const server = await startServer({ dataDir: dir.path });
    servers.add(server);
    return server;
  };

  /** Closes every server, as a clean shutdown does. */
  const stopAll = async () => {
    const previous = [...servers];
    servers.clear();
    await Promise.all(previous.map((s) => s.close()));
  };

  /** A client whose root types are typed before anything arrives (see rootsOf). */
  const join = (version: StockVersion, url: string, doc: string): FleetClient => {
    const ydoc = new Y.Doc();
    rootsOf(ydoc);
    return fleet.add(version, url, doc, { doc: ydoc });
  };

  const synced = (clients: FleetClient[]) =>
    waitFor(() => clients.every((c) => c.provider.synced), 5_000, 'sync');

  // The smallest case of what the random run below exercises: y-prosemirror keeps marks (bold,
  // links…) as formatting inside a nested Y.XmlText, and editing such a paragraph is the most
  // common write of a rich-text editor.
  it.each(['v1', 'v3'] as const)(
    'typing into a bold paragraph from a %s client reaches a connected reader and a fresh client after a restart',
    async (version) => {
      const server = await start();
      const doc = `bold-paragraph-${version}`;
      const writer = join(version, server.wsUrl, doc);
      const reader = join('v3', server.wsUrl, doc);
      await synced([writer, reader]);
      const text = new Y.XmlText();
      writer.doc.transact(() => {
        const paragraph = new Y.XmlElement('paragraph');
        paragraph.insert(0, [text]);
        rootsOf(writer.doc).xml.insert(0, [paragraph]);
      });
      const shown = (client: FleetClient) => rootsOf(client.doc).xml.toString();
      await waitFor(() => shown(reader).includes('<paragraph>'), 5_000, 'the empty paragraph');
      text.insert(0, 'bold', { bold: true });
      await waitFor(() => shown(reader).includes('bold'), 5_000, 'the bold word at the reader');
      text.insert(4, ' and more');
      await waitFor(() => shown(reader).includes('and more'), 5_000, 'the next words');
      const expected = shown(writer);
      expect(shown(reader)).toBe(expected);

      fleet.destroyAll();
      await stopAll();
      const restarted = await start();
      const fresh = join('v3', restarted.wsUrl, doc);
      await synced([fresh]);
      expect(shown(fresh)).toBe(expected);
    },
  );

  it('all replicas and a fresh client after a restart hold identical text, formatting, embeds, maps, arrays and XML', async () => {
    const random = seededRandom(SEED);
    const context = `seed ${SEED}`;
    const server = await start();
    const doc = 'all-types';
    const author = join('v3', server.wsUrl, doc);
    await synced([author]);
    createStructure(author.doc);
    const clients = [author, ...VERSIONS.slice(1).map((v) => join(v, server.wsUrl, doc))];
    await waitConverged(clients, 5_000, `${context}: the structure`);

    for (let round = 0; round < ROUNDS; round++) {
      // Half the clients go offline; everyone edits, the offline ones on their own copy.
      const offline = clients.filter((_, i) => (i + round) % 2 === 0);
      for (const client of offline) client.provider.disconnect();
      for (let edit = 0; edit < EDITS_PER_ROUND; edit++) {
        const client = clients[Math.floor(random() * clients.length)]!;
        randomEdit(client.doc, random, `${client.name}.${round}.${edit}`);
      }
      // Back online at once, with more edits before their sync exchange has finished.
      for (const client of offline) {
        client.provider.connect();
        randomEdit(client.doc, random, `${client.name}.${round}.back`);
      }
      // Let the reconnects and the live relay interleave with the next round's edits.
      await new Promise((resolve) => setTimeout(resolve, 15));
    }

    await waitConverged(clients, 10_000, `${context}: after ${ROUNDS} rounds`);
    const expected = snapshot(author.doc);
    for (const client of clients) {
      expect(snapshot(client.doc), `${context}: ${client.name}`).toBe(expected);
    }
    expect(finalCloses(clients), context).toEqual([]);
    // The edits really reached every type.
    const { rich, array, xml, map } = rootsOf(author.doc);
    expect(rich.toDelta().some((op: { insert: unknown }) => typeof op.insert === 'object')).toBe(
      true,
    );
    expect(rich.toDelta().some((op: { attributes?: object }) => op.attributes)).toBe(true);
    expect(array.length).toBeGreaterThan(0);
    expect(xml.length).toBeGreaterThan(1);
    expect([...(map.get('nested') as Y.Map<unknown>).keys()].length).toBeGreaterThan(1);
    const vector = Y.encodeStateVector(author.doc);

    // From disk: a new server on the same data dir, fresh clients of both generations.
    fleet.destroyAll();
    await stopAll();
    const restarted = await start();
    const fresh = [join('v1', restarted.wsUrl, doc), join('v3', restarted.wsUrl, doc)];
    await synced(fresh);
    for (const client of fresh) {
      expect(snapshot(client.doc), `${context}: fresh ${client.name}`).toBe(expected);
      expect(Y.encodeStateVector(client.doc)).toEqual(vector);
    }
  });
});
