// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { clientSuffix, distinctDisplayNames } from '../src/display-names.js';
import { presenceEntries, renderPresence } from '../src/presence.js';

describe('distinctDisplayNames', () => {
  it('leaves unique names alone and suffixes each holder of a shared name', () => {
    const labels = distinctDisplayNames([
      { clientId: 1001, name: 'Sam' },
      { clientId: 2002, name: 'Sam' },
      { clientId: 3003, name: 'Kim' },
    ]);
    expect(labels.get(3003)).toBe('Kim');
    expect(labels.get(1001)).toBe(`Sam ·${clientSuffix(1001)}`);
    expect(labels.get(2002)).toBe(`Sam ·${clientSuffix(2002)}`);
    expect(labels.get(1001)).not.toBe(labels.get(2002));
  });

  it('lengthens the suffix until it tells apart IDs whose last digits agree', () => {
    // 36 * 36 apart: the same last two base-36 digits.
    const a = 5_000;
    const b = a + 36 * 36;
    expect(clientSuffix(a)).toBe(clientSuffix(b));
    const labels = distinctDisplayNames([
      { clientId: a, name: 'Sam' },
      { clientId: b, name: 'Sam' },
    ]);
    expect(labels.get(a)).not.toBe(labels.get(b));
    expect(labels.get(a)).toBe(`Sam ·${clientSuffix(a, 3)}`);
  });
});

describe('the presence list with two people of one name', () => {
  it('shows both with their suffixes, you first', () => {
    const states = new Map<number, Record<string, unknown>>([
      [11, { user: { name: 'Sam', color: '#0969da' } }],
      [22, { user: { name: 'Sam', color: '#d1242f' } }],
    ]);
    const list = document.createElement('ul');
    renderPresence(list, presenceEntries(states, 22, new Map(), 0));
    expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      `Sam ·${clientSuffix(22)} (you)`,
      `Sam ·${clientSuffix(11)}`,
    ]);
  });
});
