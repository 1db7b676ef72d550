import { describe, expect, it } from 'vitest';
import { decodeAwarenessUpdate, encodeAwarenessUpdate } from '@quire/shared';
import { cleanStateJSON, cleanUser, sanitizeAwarenessUpdate } from '../src/awareness-guard.js';

const hostile = {
  user: {
    name: '\u202eevil<img src=x onerror=alert(1)>\u0000',
    color: 'red; background-image: url(https://attacker.example/x)',
    colorLight: 'url(javascript:alert(1))',
  },
  cursor: { anchor: { type: null }, head: { type: null } },
};

describe('cleanUser', () => {
  it('strips bidi/control characters but keeps the text for text-node rendering', () => {
    const user = cleanUser(hostile.user);
    expect(user.name).toBe('evil<img src=x onerror=alert(1)>');
  });
  it('replaces a color that is not #rrggbb and derives colorLight from the clean color', () => {
    const user = cleanUser(hostile.user);
    expect(user.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(user.colorLight).toBe(`${user.color}33`);
  });
  it('falls back for missing or wrong types', () => {
    expect(cleanUser(undefined).name).toBe('Anonymous');
    expect(cleanUser({ name: 42, color: ['#ffffff'] }).color).toMatch(/^#[0-9a-f]{6}$/);
    expect(cleanUser({ name: 'x'.repeat(500) }).name.length).toBe(64);
  });
});

describe('cleanStateJSON', () => {
  it('keeps removals (null) and drops malformed cursors', () => {
    expect(cleanStateJSON('null')).toBe('null');
    expect(cleanStateJSON('not json')).toBe('null');
    expect(cleanStateJSON('[1,2]')).toBe('{}');
    const state = JSON.parse(cleanStateJSON(JSON.stringify({ cursor: 'x', other: 1 })));
    expect(state).toEqual({ other: 1 });
  });
});

describe('sanitizeAwarenessUpdate', () => {
  it('cleans every entry and keeps client ids and clocks', () => {
    const update = encodeAwarenessUpdate([
      { clientID: 7, clock: 3, stateJSON: JSON.stringify(hostile) },
      { clientID: 8, clock: 1, stateJSON: 'null' },
    ]);
    const clean = sanitizeAwarenessUpdate(update);
    expect(clean).not.toBeNull();
    const entries = decodeAwarenessUpdate(clean as Uint8Array, 10);
    expect(entries.map((e) => [e.clientID, e.clock])).toEqual([
      [7, 3],
      [8, 1],
    ]);
    const state = JSON.parse(entries[0]?.stateJSON ?? '{}');
    expect(state.user.color).not.toContain(';');
    expect(state.user.colorLight).not.toContain('url');
    expect(entries[1]?.stateJSON).toBe('null');
  });
  it('returns null for a truncated update', () => {
    expect(sanitizeAwarenessUpdate(Uint8Array.of(5, 1))).toBeNull();
  });
});
