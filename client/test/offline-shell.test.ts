import { describe, expect, it } from 'vitest';
import {
  CACHE_PREFIX,
  PREVIOUS_CACHES_KEPT,
  cacheName,
  cachesToDelete,
  classifyRequest,
  isServerUnavailable,
  precacheRequestMode,
  shouldPrecache,
} from '../src/sw/precache.js';
import { precacheManifest } from '../vite.service-worker.js';
import {
  MAX_OFFLINE_INDEX_ENTRIES,
  OFFLINE_INDEX_KEY,
  hasOfflineCopy,
  listOfflineCopies,
  rememberOfflineCopy,
  type KeyValueStore,
} from '../src/demo/offline-index.js';

const ORIGIN = 'http://127.0.0.1:4000';
const get = (path: string, mode = 'cors', method = 'GET') => ({
  method,
  mode,
  url: new URL(path, ORIGIN).href,
});

describe('service worker routing', () => {
  it('serves page navigations to / and /d/<doc> network-first with the shell as fallback', () => {
    for (const path of ['/', '/index.html', '/d/notes', '/d/team/notes.md?view=1']) {
      expect(classifyRequest(get(path, 'navigate'), ORIGIN)).toBe('shell');
    }
    // Other pages are not the app: they are never answered from the cache.
    for (const path of ['/embed.html', '/metrics', '/healthz', '/elsewhere']) {
      expect(classifyRequest(get(path, 'navigate'), ORIGIN)).toBe('network');
    }
  });
  it('answers hashed assets from the cache, and never caches the API or other origins', () => {
    expect(classifyRequest(get('/assets/index-abc.js'), ORIGIN)).toBe('asset');
    expect(classifyRequest(get('/api/docs'), ORIGIN)).toBe('network');
    expect(classifyRequest(get('/api/docs/notes/text', 'navigate'), ORIGIN)).toBe('network');
    expect(classifyRequest(get('/api/docs/notes', 'cors', 'PUT'), ORIGIN)).toBe('network');
    expect(classifyRequest(get('/assets/x.js', 'cors', 'POST'), ORIGIN)).toBe('network');
    expect(classifyRequest(get('/sw.js'), ORIGIN)).toBe('network');
    const elsewhere = { method: 'GET', mode: 'navigate', url: 'http://example.com/d/notes' };
    expect(classifyRequest(elsewhere, ORIGIN)).toBe('network');
  });
  it('treats a proxy answering for a stopped server like a failed network', () => {
    expect([502, 503, 504].every(isServerUnavailable)).toBe(true);
    expect([200, 304, 404, 500].some(isServerUnavailable)).toBe(false);
  });
});

describe('shell caches', () => {
  it('deletes only its own older caches, keeping the previous build for tabs that run it', () => {
    const current = cacheName('v3');
    const names = ['other-app', cacheName('v1'), cacheName('v2'), current];
    expect(PREVIOUS_CACHES_KEPT).toBe(1);
    expect(cachesToDelete(names, current)).toEqual([cacheName('v1')]);
    expect(cachesToDelete([cacheName('v2'), current], current)).toEqual([]);
    expect(cachesToDelete([current], current)).toEqual([]);
    expect(cacheName('abc').startsWith(CACHE_PREFIX)).toBe(true);
  });
});

describe('precache manifest', () => {
  const build = [
    { fileName: 'index.html', source: '<script src="/assets/index-a.js"></script>' },
    { fileName: 'assets/index-a.js', source: 'console.log(1)' },
    { fileName: 'assets/index-a.js.map', source: '{}' },
    { fileName: 'assets/index-b.css', source: new TextEncoder().encode('body{}') },
  ];
  it('lists the shell and its assets, without source maps, in a stable order', () => {
    const manifest = precacheManifest(build);
    expect(manifest.urls).toEqual(['/assets/index-a.js', '/assets/index-b.css', '/index.html']);
    expect(precacheManifest([...build].reverse())).toEqual(manifest);
    expect(shouldPrecache('sw.js')).toBe(false);
  });
  it('revalidates the page at install, and takes immutable assets from the HTTP cache', () => {
    expect(precacheRequestMode('/index.html')).toBe('no-cache');
    expect(precacheRequestMode('/assets/index-a.js')).toBe('default');
  });
  it('gets a new version when any precached byte changes, not when a source map does', () => {
    const { version } = precacheManifest(build);
    const changed = build.map((f) =>
      f.fileName === 'index.html' ? { ...f, source: `${String(f.source)} ` } : f,
    );
    expect(precacheManifest(changed).version).not.toBe(version);
    const mapOnly = build.map((f) => (f.fileName.endsWith('.map') ? { ...f, source: '[]' } : f));
    expect(precacheManifest(mapOnly).version).toBe(version);
  });
});

describe('offline copies index', () => {
  const memory = (): KeyValueStore & { data: Map<string, string> } => {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (key) => data.get(key) ?? null,
      setItem: (key, value) => void data.set(key, value),
    };
  };
  it('lists documents most recently opened first, and knows which it holds', () => {
    const store = memory();
    rememberOfflineCopy('notes', 1000, store);
    rememberOfflineCopy('team/plan', 3000, store);
    rememberOfflineCopy('notes', 5000, store);
    expect(listOfflineCopies(store)).toEqual([
      { name: 'notes', lastOpened: 5000 },
      { name: 'team/plan', lastOpened: 3000 },
    ]);
    expect(hasOfflineCopy('team/plan', store)).toBe(true);
    expect(hasOfflineCopy('never-opened', store)).toBe(false);
    // A name like an Object prototype member is just a name.
    expect(hasOfflineCopy('constructor', store)).toBe(false);
  });
  it('keeps the most recent MAX_OFFLINE_INDEX_ENTRIES and survives a corrupt entry', () => {
    const store = memory();
    for (let i = 0; i <= MAX_OFFLINE_INDEX_ENTRIES; i++) rememberOfflineCopy(`d${i}`, i, store);
    const copies = listOfflineCopies(store);
    expect(copies).toHaveLength(MAX_OFFLINE_INDEX_ENTRIES);
    expect(hasOfflineCopy('d0', store)).toBe(false);
    expect(copies[0]).toEqual({ name: `d${MAX_OFFLINE_INDEX_ENTRIES}`, lastOpened: 200 });
    store.data.set(OFFLINE_INDEX_KEY, 'not json');
    expect(listOfflineCopies(store)).toEqual([]);
    store.data.set(OFFLINE_INDEX_KEY, JSON.stringify({ ok: 1, bad: 'x' }));
    expect(listOfflineCopies(store)).toEqual([{ name: 'ok', lastOpened: 1 }]);
  });
  it('costs nothing without storage', () => {
    expect(() => rememberOfflineCopy('notes', 1, null)).not.toThrow();
    expect(listOfflineCopies(null)).toEqual([]);
  });
});
