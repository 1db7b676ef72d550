/**
 * The presence list: who is in the document, with their colors; people who have not moved
 * their cursor or typed for a while are shown faded. Idle time is measured with this browser's
 * clock (when we last saw a state change), so clock skew between machines cannot fake it.
 */
import type { Awareness } from 'y-protocols/awareness';
import { cleanUser } from './awareness-guard.js';
import { distinctDisplayNames } from './display-names.js';

/** After this long without a cursor move or edit, a person is shown as idle. */
export const DEFAULT_IDLE_AFTER_MS = 60_000;
/** How often idle fading is re-evaluated without any awareness traffic. */
const IDLE_CHECK_INTERVAL_MS = 5_000;

export interface PresenceEntry {
  clientId: number;
  name: string;
  /** `name`, with a short suffix when someone else here has the same name (display-names.ts). */
  label: string;
  color: string;
  isLocal: boolean;
  idle: boolean;
}

export function presenceEntries(
  states: ReadonlyMap<number, Record<string, unknown>>,
  localId: number,
  lastChange: ReadonlyMap<number, number>,
  now: number,
  idleAfterMs = DEFAULT_IDLE_AFTER_MS,
): PresenceEntry[] {
  const entries: PresenceEntry[] = [];
  for (const [clientId, state] of states) {
    if (!state || !('user' in state)) continue;
    const { name, color } = cleanUser(state.user);
    const isLocal = clientId === localId;
    const seen = lastChange.get(clientId) ?? now;
    entries.push({
      clientId,
      name,
      label: name,
      color,
      isLocal,
      idle: !isLocal && now - seen >= idleAfterMs,
    });
  }
  const labels = distinctDisplayNames(entries);
  for (const entry of entries) entry.label = labels.get(entry.clientId) ?? entry.name;
  // You first, then everyone else by name: a stable order that does not jump around.
  return entries.sort(
    (a, b) =>
      Number(b.isLocal) - Number(a.isLocal) ||
      a.name.localeCompare(b.name) ||
      a.clientId - b.clientId,
  );
}

/** Renders with DOM APIs only: names as text nodes, colors set through the style object. */
export function renderPresence(list: HTMLElement, entries: readonly PresenceEntry[]): void {
  const doc = list.ownerDocument;
  const items = entries.map((entry) => {
    const item = doc.createElement('li');
    item.className = 'quire-person';
    item.dataset.clientId = String(entry.clientId);
    if (entry.idle) item.classList.add('quire-idle');
    if (entry.isLocal) item.classList.add('quire-self');
    const swatch = doc.createElement('span');
    swatch.className = 'quire-swatch';
    swatch.setAttribute('aria-hidden', 'true');
    swatch.style.backgroundColor = entry.color;
    const label = doc.createElement('span');
    label.className = 'quire-name';
    label.textContent = entry.isLocal ? `${entry.label} (you)` : entry.label;
    if (entry.isLocal) {
      item.append(swatch, label);
    } else {
      // Jump to this person's cursor and follow it (follow.ts handles the click).
      const jump = doc.createElement('button');
      jump.type = 'button';
      jump.className = 'quire-person-jump';
      jump.title = `Jump to ${entry.label}'s cursor and follow it`;
      jump.append(swatch, label);
      item.append(jump);
    }
    if (entry.idle) {
      const idle = doc.createElement('span');
      idle.className = 'quire-visually-hidden';
      idle.textContent = ' (idle)';
      item.append(idle);
    }
    return item;
  });
  list.replaceChildren(...items);
}

export interface PresenceTracker {
  destroy(): void;
}

export function trackPresence(
  awareness: Awareness,
  list: HTMLElement,
  idleAfterMs = DEFAULT_IDLE_AFTER_MS,
): PresenceTracker {
  const lastChange = new Map<number, number>();
  let previous = '';
  const render = (): void => {
    const entries = presenceEntries(
      awareness.getStates() as Map<number, Record<string, unknown>>,
      awareness.clientID,
      lastChange,
      Date.now(),
      idleAfterMs,
    );
    // Re-render only on a visible difference, so aria-live does not re-announce the same list.
    const key = JSON.stringify(entries);
    if (key === previous) return;
    previous = key;
    renderPresence(list, entries);
  };
  const onChange = ({
    added,
    updated,
    removed,
  }: {
    added: number[];
    updated: number[];
    removed: number[];
  }): void => {
    const now = Date.now();
    for (const id of [...added, ...updated]) lastChange.set(id, now);
    for (const id of removed) lastChange.delete(id);
    render();
  };
  awareness.on('change', onChange);
  const timer = setInterval(render, IDLE_CHECK_INTERVAL_MS);
  render();
  return {
    destroy() {
      clearInterval(timer);
      awareness.off('change', onChange);
    },
  };
}
