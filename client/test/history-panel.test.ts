// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { mountHistoryPanel, type HistoryPanel } from '../src/history/panel.js';
import type { HistoryApi, VersionInfo } from '../src/history/api.js';
import { defineQuireEditor, type QuireEditorElement } from '../src/element.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const VERSIONS: VersionInfo[] = [
  { id: 'c', createdAt: NOW - 10 * 60_000, kind: 'manual', label: 'Review', authors: ['Ada'] },
  { id: 'b', createdAt: NOW - 60 * 60_000, kind: 'auto', authors: ['Ada', 'Bob'] },
  { id: 'a', createdAt: NOW - 26 * 3_600_000, kind: 'leave' },
];
const TEXTS: Record<string, string> = { a: 'one', b: 'one two', c: 'one two three' };

function fakeApi() {
  const calls: string[] = [];
  const api: HistoryApi = {
    list: async () => (calls.push('list'), VERSIONS),
    save: async (label) => (calls.push(`save:${label}`), 'd'),
    versionText: async (id) => (calls.push(`text:${id}`), TEXTS[id] ?? ''),
    currentText: async () => 'live',
    restore: async (id) => void calls.push(`restore:${id}`),
  };
  return { api, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const panels: HistoryPanel[] = [];
afterEach(() => {
  panels.splice(0).forEach((p) => p.destroy());
  document.body.replaceChildren();
});

function mount(readOnly = false) {
  const toolbar = document.createElement('div');
  const container = document.createElement('div');
  document.body.append(toolbar, container);
  const { api, calls } = fakeApi();
  const toggles: boolean[] = [];
  const panel = mountHistoryPanel({
    toolbar,
    container,
    onToggle: (open) => toggles.push(open),
    serverUrl: 'ws://h:1',
    docName: 'notes',
    readOnly,
    currentText: () => 'one two three four',
    onCurrentChange: () => () => undefined,
    focusEditor: () => undefined,
    api,
    now: () => NOW,
    format: { locale: 'en-GB', timeZone: 'UTC' },
  });
  panels.push(panel);
  const q = <T extends Element = HTMLElement>(selector: string) =>
    container.querySelector(selector) as T;
  const toggle = toolbar.querySelector('.quire-history-toggle') as HTMLButtonElement;
  return { panel, calls, toggles, toggle, q, container };
}

const key = (target: Element, k: string, shiftKey = false) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true }));

describe('History panel', () => {
  it('opens from the toolbar with the versions grouped by day, newest selected', async () => {
    const { toggle, toggles, q, container, calls } = mount();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await settle();
    await settle();
    expect(toggles).toEqual([true]);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const days = [...container.querySelectorAll('.quire-history-day')].map((d) => d.textContent);
    expect(days).toEqual(['Today', 'Yesterday']);
    const options = [...container.querySelectorAll('[role="option"]')];
    expect(options.map((o) => o.getAttribute('aria-label'))).toEqual([
      '11:50, saved by hand, “Review”, by Ada',
      '11:00, autosaved, by Ada and Bob',
      '10:00, saved when everyone left',
    ]);
    expect(options[0]?.getAttribute('aria-selected')).toBe('true');
    expect(calls).toContain('text:c');
    expect(q('.quire-history-diff-title').textContent).toBe('Changes since today, 11:50 “Review”');
    expect(q('.quire-history-summary').textContent).toBe(
      '1 change: 5 characters added, 0 characters removed.',
    );
    expect(document.activeElement).toBe(q('[role="listbox"]'));
  });

  it('moves with the arrow keys and compares two versions with Shift', async () => {
    const { toggle, q, container } = mount();
    toggle.click();
    await settle();
    const list = q('[role="listbox"]');
    key(list, 'ArrowDown');
    await settle();
    expect(q('.quire-history-diff-title').textContent).toBe(
      'Changes since today, 11:00 (autosaved)',
    );
    expect(list.getAttribute('aria-activedescendant')).toBe(
      container.querySelectorAll('[role="option"]')[1]?.id,
    );
    key(list, 'ArrowDown', true);
    await settle();
    expect(q('.quire-history-diff-title').textContent).toBe(
      'Changes from yesterday, 10:00 (saved when everyone left) to today, 11:00 (autosaved)',
    );
    expect(q('.quire-history-summary').textContent).toBe(
      '1 change: 4 characters added, 0 characters removed.',
    );
    expect(q<HTMLSelectElement>('select').value).toBe('a');
    const selected = container.querySelectorAll('[aria-selected="true"]');
    expect(selected).toHaveLength(2);
  });

  it('closes on Escape and gives focus back to the History button', async () => {
    const { toggle, toggles, q } = mount();
    toggle.click();
    await settle();
    key(q('[role="listbox"]'), 'Escape');
    expect(toggles).toEqual([true, false]);
    expect(q('.quire-history').hidden).toBe(true);
    expect(document.activeElement).toBe(toggle);
  });

  it('restores only after the confirmation, and announces it', async () => {
    const { toggle, toggles, q, calls, panel } = mount();
    toggle.click();
    await settle();
    q<HTMLButtonElement>('.quire-history-restore').click();
    const dialog = q<HTMLDialogElement>('dialog');
    expect(dialog.open).toBe(true);
    (dialog.querySelector('.quire-button:not(.quire-button-danger)') as HTMLElement).click();
    await settle();
    expect(calls.filter((c) => c.startsWith('restore'))).toEqual([]);
    q<HTMLButtonElement>('.quire-history-restore').click();
    (dialog.querySelector('.quire-button-danger') as HTMLElement).click();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls).toContain('restore:c');
    expect(panel.isOpen).toBe(false);
    expect(toggles.at(-1)).toBe(false);
    expect(document.querySelector('.quire-history-announcer')?.textContent).toMatch(
      /^Version restored/,
    );
  });

  it('names the current text as a version', async () => {
    const { toggle, q, calls } = mount();
    toggle.click();
    await settle();
    q<HTMLInputElement>('.quire-history-name input').value = '  Draft 2 ';
    q<HTMLFormElement>('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(calls).toContain('save:Draft 2');
  });

  it('lets viewers browse but not restore or name, and says why', async () => {
    const { toggle, q, calls } = mount(true);
    toggle.click();
    await settle();
    expect(q<HTMLButtonElement>('.quire-history-restore').disabled).toBe(true);
    expect(q<HTMLButtonElement>('.quire-history-name button').disabled).toBe(true);
    const note = q('.quire-history-note');
    expect(note.hidden).toBe(false);
    expect(q('.quire-history-restore').getAttribute('aria-describedby')).toBe(note.id);
    expect(calls).toContain('text:c');
  });
});

describe('<quire-editor history>', () => {
  defineQuireEditor();

  it('has a History button by default and none with history="off"', () => {
    document.body.innerHTML =
      '<quire-editor server="ws://127.0.0.1:9" doc="a" offline="false"></quire-editor>' +
      '<quire-editor server="ws://127.0.0.1:9" doc="b" offline="false" history="off"></quire-editor>';
    const [on, off] = [...document.querySelectorAll('quire-editor')] as QuireEditorElement[];
    expect(on?.shadowRoot?.querySelector('.quire-history-toggle')).not.toBeNull();
    expect(on?.editor?.history).not.toBeNull();
    expect(off?.shadowRoot?.querySelector('.quire-history-toggle')).toBeNull();
    expect(off?.editor?.history).toBeNull();
  });
});
