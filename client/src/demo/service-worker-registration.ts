/**
 * Registers the offline shell's service worker (/sw.js, built from ../sw/) and offers its
 * updates: a new build's worker installs in the background and waits; this page then shows the
 * update prompt, and only the person's "Reload" lets the new worker take over (then this tab
 * reloads onto the new build). Under `vite` dev there is no worker: the dev server's modules
 * must never be served from a cache.
 */
import type { QuireEditor } from '../editor.js';
import { showUpdatePrompt } from './update-prompt.js';

export const SERVICE_WORKER_URL = '/sw.js';
/** How often an open page asks the server for a new build, besides the moments below (the
 * browser itself checks on every navigation). */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;
/** After "Reload", how long to wait for the new worker to take over before reloading anyway
 * (the reload then still gets the new build from the network, only not cached yet). */
const TAKEOVER_WAIT_MS = 3000;

let registration: ServiceWorkerRegistration | null = null;

/** Asks the server whether sw.js changed (a new build); an install then starts on its own. */
export function checkForUpdate(): void {
  registration?.update().catch(() => {
    // Offline or the server is down: the next check will tell.
  });
}

export function registerServiceWorker(): void {
  // Missing outside secure contexts (plain http other than localhost) and in some private modes.
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  let reloadRequested = false;
  container.addEventListener('controllerchange', () => {
    if (reloadRequested) location.reload();
  });
  const offer = (reg: ServiceWorkerRegistration): void =>
    showUpdatePrompt(() => {
      const waiting = reg.waiting;
      // Another tab may already have switched: then the new build only needs a reload here.
      if (!waiting) return location.reload();
      reloadRequested = true;
      waiting.postMessage({ type: 'skip-waiting' });
      setTimeout(() => location.reload(), TAKEOVER_WAIT_MS);
    });
  const register = (): Promise<void> =>
    container.register(SERVICE_WORKER_URL, { scope: '/' }).then(
      (reg: ServiceWorkerRegistration | undefined) => {
        // Undefined where service workers are blocked (some embedders, Playwright's
        // `serviceWorkers: 'block'`): no offline shell, nothing to offer.
        if (!reg) return;
        registration = reg;
        // With no controller this is the first install, not an update: nothing to offer.
        if (reg.waiting && container.controller) offer(reg);
        reg.addEventListener('updatefound', () => {
          const incoming = reg.installing;
          incoming?.addEventListener('statechange', () => {
            if (incoming.state === 'installed' && container.controller) offer(reg);
          });
        });
      },
      (error: unknown) => console.warn('quire: no offline support in this browser', error),
    );
  // After the page's own load: installing fetches the shell, which must not compete with it.
  if (document.readyState === 'complete') void register();
  else window.addEventListener('load', () => void register(), { once: true });
  // Good moments to look for a new build: the network came back, the tab came back.
  window.addEventListener('online', checkForUpdate);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') checkForUpdate();
  });
  setInterval(checkForUpdate, UPDATE_CHECK_INTERVAL_MS);
}

/** A server restart is often a deploy: once the editor is back online after losing the server,
 * look for a new build at once instead of at the next interval. */
export function checkForUpdateOnReconnect(editor: QuireEditor): void {
  let lost = false;
  editor.onStatus(({ status }) => {
    if (status === 'offline' || status === 'reconnecting') lost = true;
    else if (lost && (status === 'online' || status === 'saved')) {
      lost = false;
      checkForUpdate();
    }
  });
}
