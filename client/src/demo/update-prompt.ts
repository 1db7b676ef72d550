/**
 * "A new version is available — Reload": shown when a new build's service worker is installed
 * and waiting. The person chooses: Reload switches to it now; "Not now" keeps this tab on the
 * version it runs (which keeps working: its files stay cached) until they reload or come back.
 */
import './offline.css';

export const UPDATE_PROMPT_ID = 'update-prompt';
export const UPDATE_AVAILABLE = 'A new version of Quire is available.';

export function showUpdatePrompt(onReload: () => void): void {
  if (document.getElementById(UPDATE_PROMPT_ID)) return;
  const bar = document.createElement('div');
  bar.id = UPDATE_PROMPT_ID;
  bar.className = 'demo-update';
  bar.setAttribute('role', 'status');
  const text = document.createElement('span');
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.className = 'demo-update-reload';
  reload.textContent = 'Reload';
  reload.addEventListener('click', () => {
    reload.disabled = true;
    onReload();
  });
  const later = document.createElement('button');
  later.type = 'button';
  later.textContent = 'Not now';
  later.addEventListener('click', () => bar.remove());
  bar.append(text, reload, later);
  document.body.append(bar);
  // Filled in after the live region is in the page: screen readers announce changes to a
  // region, not a region that arrives with its text.
  setTimeout(() => (text.textContent = UPDATE_AVAILABLE), 0);
}
