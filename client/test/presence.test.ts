// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { presenceEntries, renderPresence } from '../src/presence.js';

const states = new Map<number, Record<string, unknown>>([
  [1, { user: { name: 'Zoe', color: '#0969da' } }],
  [2, { user: { name: '<b onmouseover=alert(1)>Bob</b>', color: 'red;position:fixed' } }],
  [3, { cursor: null }],
]);

describe('presenceEntries', () => {
  it('lists you first, skips states without a user, and cleans names and colors', () => {
    const entries = presenceEntries(states, 1, new Map(), 1000);
    expect(entries.map((e) => e.clientId)).toEqual([1, 2]);
    expect(entries[0]?.isLocal).toBe(true);
    expect(entries[1]?.color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('marks others idle after the idle time, never yourself', () => {
    const lastChange = new Map([
      [1, 0],
      [2, 0],
    ]);
    const entries = presenceEntries(states, 1, lastChange, 61_000, 60_000);
    expect(entries.find((e) => e.clientId === 1)?.idle).toBe(false);
    expect(entries.find((e) => e.clientId === 2)?.idle).toBe(true);
  });
});

describe('renderPresence', () => {
  it('renders names as text, never as markup, and colors only through the style object', () => {
    const list = document.createElement('ul');
    renderPresence(list, presenceEntries(states, 1, new Map([[2, 0]]), 120_000, 60_000));
    expect(list.querySelector('b')).toBeNull();
    const items = list.querySelectorAll('li');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toBe('Zoe (you)');
    expect(items[1]?.textContent).toBe('<b onmouseover=alert(1)>Bob</b> (idle)');
    expect(items[1]?.classList.contains('quire-idle')).toBe(true);
    const swatch = items[1]?.querySelector('.quire-swatch') as HTMLElement;
    expect(swatch.getAttribute('style') ?? '').not.toContain('position');
  });
});
