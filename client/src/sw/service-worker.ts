/**
 * The demo app's service worker (built to /sw.js by vite.service-worker.ts). It keeps the app
 * shell — index.html and the hashed assets it loads — in a cache named after the build, so a
 * page this browser has opened before loads with the network or the server down; the editor
 * then shows the document's offline copy from IndexedDB and syncs when the server is back.
 *
 * Updates: a new build makes a new sw.js (its manifest differs). The browser installs it next
 * to the running one and it WAITS: open tabs keep the worker (and cache) they started with until
 * the person picks "Reload" in the page (a `skip-waiting` message) or closes every tab. After it
 * takes over, the previous build's cache is still kept (see PREVIOUS_CACHES_KEPT) for tabs that
 * still run that build.
 */
import {
  cacheName,
  cachesToDelete,
  classifyRequest,
  isServerUnavailable,
  precacheRequestMode,
  SHELL_URL,
  type PrecacheManifest,
} from './precache.js';

/** Written in at build time: the shell's files and a version derived from their contents. */
declare const __QUIRE_PRECACHE__: PrecacheManifest;

// The DOM lib has no service-worker event types, and lib.webworker conflicts with it in one
// program; these are the few members this worker uses.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  readonly origin: string;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

/** A navigation that neither answers nor fails within this long (a dead Wi-Fi, a captive
 * portal) gets the cached shell instead of a spinner. */
const NAVIGATION_TIMEOUT_MS = 5000;

const worker = self as unknown as ServiceWorkerScope;
const manifest = __QUIRE_PRECACHE__;
const currentCache = cacheName(manifest.version);

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(currentCache)
      .then((cache) =>
        cache.addAll(
          manifest.urls.map((url) => new Request(url, { cache: precacheRequestMode(url) })),
        ),
      ),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const stale = cachesToDelete(await caches.keys(), currentCache);
      await Promise.all(stale.map((name) => caches.delete(name)));
      // The first install: the page that registered us gets offline support without a reload.
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  // Only when the person chose "Reload": never replace the worker under an open tab on our own.
  if (data?.type === 'skip-waiting') void worker.skipWaiting();
});

worker.addEventListener('fetch', (event) => {
  const kind = classifyRequest(event.request, worker.origin);
  if (kind === 'shell') event.respondWith(networkThenShell(event.request));
  else if (kind === 'asset') event.respondWith(cacheThenNetwork(event.request));
  // Anything else (the API, probes, other pages) is left to the browser: never cached.
});

/** A page: the live one when the server answers (it may be a newer build), else the shell. */
async function networkThenShell(request: Request): Promise<Response> {
  const network = fetch(request);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), NAVIGATION_TIMEOUT_MS);
  });
  try {
    const first = await Promise.race([network, timedOut]);
    if (first !== 'timeout' && !isServerUnavailable(first.status)) return first;
    // Slow or unavailable: the shell if we have one, else whatever the network gives in the end.
    return (await cachedShell()) ?? network;
  } catch (error) {
    const shell = await cachedShell();
    if (shell) return shell;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function cachedShell(): Promise<Response | undefined> {
  return (
    (await caches.match(SHELL_URL, { cacheName: currentCache })) ?? (await caches.match(SHELL_URL))
  );
}

/** Hashed assets never change under one name; any kept cache may hold them, including the
 * previous build's, which an open tab of that build may still ask for after the deploy. */
async function cacheThenNetwork(request: Request): Promise<Response> {
  return (await caches.match(request)) ?? fetch(request);
}
