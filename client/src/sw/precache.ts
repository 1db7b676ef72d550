/**
 * The service worker's rules, kept pure so each one is unit-tested: which requests it answers
 * and how, what the precache holds, and which old caches it may delete. The worker itself
 * (service-worker.ts) only wires these to the Cache API.
 */

/** Every cache this worker creates starts with this, so it never touches anyone else's. */
export const CACHE_PREFIX = 'quire-shell-';
/** The app shell: the one HTML page every route (`/`, `/d/<doc>`) is rendered from. */
export const SHELL_URL = '/index.html';
/** Where vite puts hashed (immutable) build output. */
export const ASSET_PREFIX = '/assets/';
/**
 * Shell caches kept besides the current one. The previous build's stays: a tab opened before an
 * update still runs it, and may still ask for its (now deleted on the server) assets until it
 * reloads. Older ones are gone at the next activation.
 */
export const PREVIOUS_CACHES_KEPT = 1;

export interface PrecacheManifest {
  /** Changes whenever any precached file changes: names the cache, and makes sw.js differ so
   * the browser installs the new worker. */
  version: string;
  /** Same-origin URLs fetched at install time: the shell and the assets it loads. */
  urls: string[];
}

export function cacheName(version: string): string {
  return CACHE_PREFIX + version;
}

/**
 * How install fetches each precached URL. index.html is revalidated (`no-cache`): a copy in the
 * HTTP cache from before a deploy must not become the new shell. Hashed assets may come from
 * the HTTP cache, where the page that registered the worker has just put them (the server marks
 * them immutable), instead of being downloaded a second time.
 */
export function precacheRequestMode(url: string): RequestCache {
  return url.startsWith(ASSET_PREFIX) ? 'default' : 'no-cache';
}

/** Build output the shell needs offline. Source maps are for developers (large, fetched by
 * devtools only); the service worker itself is fetched by the browser, never from a cache. */
export function shouldPrecache(fileName: string): boolean {
  return !fileName.endsWith('.map') && fileName !== 'sw.js';
}

/**
 * Caches to delete when `current` activates: our own caches other than the current one and the
 * newest PREVIOUS_CACHES_KEPT others. `names` is in creation order (as `caches.keys()` gives).
 */
export function cachesToDelete(names: readonly string[], current: string): string[] {
  const older = names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== current);
  return older.slice(0, Math.max(0, older.length - PREVIOUS_CACHES_KEPT));
}

/**
 * - `shell`: a page navigation to `/`, `/index.html` or `/d/<doc>`: the network first, the
 *   cached shell when the network or the server is down.
 * - `asset`: hashed build output: the cache first (it never changes under the same name).
 * - `network`: everything else goes to the network untouched and is never cached: the API
 *   (`/api/…`), probes and metrics, other pages, other origins, and every non-GET request.
 *   WebSockets never reach a service worker at all.
 */
export type RequestKind = 'shell' | 'asset' | 'network';

export function classifyRequest(
  request: { method: string; mode: string; url: string },
  origin: string,
): RequestKind {
  if (request.method !== 'GET') return 'network';
  const url = new URL(request.url);
  if (url.origin !== origin) return 'network';
  const path = url.pathname;
  if (path.startsWith('/api/')) return 'network';
  if (request.mode === 'navigate') {
    return path === '/' || path === SHELL_URL || path.startsWith('/d/') ? 'shell' : 'network';
  }
  return path.startsWith(ASSET_PREFIX) ? 'asset' : 'network';
}

/** Responses that mean "the server is not there" (a proxy in front of a stopped server answers
 * 502/503/504): the cached shell is then better than an error page. */
export function isServerUnavailable(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}
