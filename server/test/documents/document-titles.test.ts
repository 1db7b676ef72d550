/**
 * Title writes while someone types (documents/document-titles.ts): one write, the debounce after
 * the last keystroke, whatever the number of keystrokes; an API change writes at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../../src/log.js';
import { DocumentTitles } from '../../src/documents/document-titles.js';
import type { DocumentCatalog } from '../../src/storage/catalog.js';
import type { ChangeOrigin } from '../../src/room/change-origin.js';
import type { Peer } from '../../src/room/peer.js';

describe('document titles', () => {
  const writes: { name: string; title: string | null; at: number }[] = [];
  const catalog = {
    setTitle: async (name: string, title: string | null) => {
      writes.push({ name, title, at: Date.now() });
    },
  } as unknown as DocumentCatalog;
  const doc = new Y.Doc();
  const room = { name: 'typed', doc, authorName: () => null };
  const typing = { kind: 'connection', peer: {} as Peer } as ChangeOrigin;
  let titles: DocumentTitles;

  beforeEach(() => {
    vi.useFakeTimers();
    writes.splice(0);
    doc.getText('codemirror').delete(0, doc.getText('codemirror').length);
    titles = new DocumentTitles({ catalog, log: silentLogger, debounceMs: 2_000 });
  });
  afterEach(() => {
    titles.close();
    vi.useRealTimers();
  });

  it('writes once, the debounce after the last keystroke', async () => {
    const started = Date.now();
    for (let i = 0; i < 7; i++) {
      doc.getText('codemirror').insert(i, 'abcdefg'[i]!);
      titles.changed(room, typing);
      await vi.advanceTimersByTimeAsync(500);
    }
    // The last keystroke was at +3000 ms; nothing was written while typing went on.
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_400);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(writes).toEqual([{ name: 'typed', title: 'abcdefg', at: started + 5_000 }]);
  });

  it('writes an API change at once, even with typing pending', async () => {
    doc.getText('codemirror').insert(0, 'Typed');
    titles.changed(room, typing);
    await vi.advanceTimersByTimeAsync(100);
    titles.changed(room, { kind: 'api' });
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.map((w) => w.title)).toEqual(['Typed']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toHaveLength(1); // the pending keystroke's write was folded into it
  });
});
