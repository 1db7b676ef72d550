// @vitest-environment happy-dom
/** The History panel's diff of the selected version against the live text, as others type:
 * redrawn once typing pauses, only while it compares with the live text, and from the version's
 * text fetched once. */
import { afterEach, describe, expect, it } from 'vitest';
import { mountHistoryPanel, type HistoryPanel } from '../src/history/panel.js';
import type { HistoryApi, VersionInfo } from '../src/history/api.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const VERSIONS: VersionInfo[] = [
  { id: 'b', createdAt: NOW - 10 * 60_000, kind: 'manual', label: 'Review' },
  { id: 'a', createdAt: NOW - 60 * 60_000, kind: 'auto' },
];
const TEXTS: Record<string, string> = { a: 'one', b: 'one two' };
/** Longer than the panel's pause before a live redraw (LIVE_DIFF_DELAY_MS, 300 ms). */
const PAST_LIVE_DELAY_MS = 400;

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const panels: HistoryPanel[] = [];
afterEach(() => {
  panels.splice(0).forEach((p) => p.destroy());
  document.body.replaceChildren();
});

function mount() {
  const toolbar = document.createElement('div');
  const container = document.createElement('div');
  document.body.append(toolbar, container);
  const fetched: string[] = [];
  const api: HistoryApi = {
    list: async () => VERSIONS,
    save: async () => 'c',
    versionText: async (id) => (fetched.push(id), TEXTS[id] ?? ''),
    currentText: async () => '',
    restore: async () => undefined,
  };
  let live = 'one two three';
  const listeners = new Set<() => void>();
  const panel = mountHistoryPanel({
    toolbar,
    container,
    onToggle: () => undefined,
    serverUrl: 'ws://h:1',
    docName: 'notes',
    readOnly: false,
    currentText: () => live,
    onCurrentChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    focusEditor: () => undefined,
    api,
    now: () => NOW,
    format: { locale: 'en-GB', timeZone: 'UTC' },
  });
  panels.push(panel);
  const type = (text: string) => {
    live = text;
    for (const listener of listeners) listener();
  };
  const summary = () => container.querySelector('.quire-history-summary')?.textContent;
  const list = () => container.querySelector('[role="listbox"]') as HTMLElement;
  return { panel, fetched, type, summary, list };
}

describe('History panel live diff', () => {
  it('redraws the summary once typing pauses, fetching the version text once', async () => {
    const { panel, fetched, type, summary } = mount();
    await panel.open();
    expect(summary()).toBe('1 change: 6 characters added, 0 characters removed.');
    type('one two three f');
    type('one two three four');
    // Not on every keystroke: still the old summary right after them.
    expect(summary()).toBe('1 change: 6 characters added, 0 characters removed.');
    await sleep(PAST_LIVE_DELAY_MS);
    expect(summary()).toBe('1 change: 11 characters added, 0 characters removed.');
    expect(fetched).toEqual(['b']);
  });

  it('leaves a comparison of two versions alone, and stops when the panel closes', async () => {
    const { panel, type, summary, list } = mount();
    await panel.open();
    list().dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowDown', shiftKey: true, bubbles: true }),
    );
    await settle();
    const twoVersions = summary();
    expect(twoVersions).toBe('1 change: 4 characters added, 0 characters removed.');
    type('something else entirely');
    await sleep(PAST_LIVE_DELAY_MS);
    expect(summary()).toBe(twoVersions);

    panel.close();
    await panel.open();
    const reopened = summary();
    type('one two three four five');
    panel.close();
    await sleep(PAST_LIVE_DELAY_MS);
    expect(summary()).toBe(reopened);
  });
});
