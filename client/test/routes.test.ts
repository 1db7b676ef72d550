import { describe, expect, it } from 'vitest';
import { docHref, parseRoute } from '../src/demo/routes.js';
import { resolveUser } from '../src/user.js';

describe('demo routes', () => {
  it('maps / and /d/<name> (names may contain slashes)', () => {
    expect(parseRoute('/')).toEqual({ page: 'home' });
    expect(parseRoute('/d/team-a/notes')).toEqual({ page: 'doc', docName: 'team-a/notes' });
    expect(parseRoute('/d/caf%C3%A9')).toEqual({ page: 'doc', docName: 'café' });
    expect(parseRoute('/elsewhere')).toEqual({ page: 'not-found' });
    expect(parseRoute('/d/%E0%A4%A')).toEqual({ page: 'not-found' });
  });
  it('builds links that parse back to the same name', () => {
    for (const name of ['notes', 'team-a/notes', 'café']) {
      expect(parseRoute(docHref(name))).toEqual({ page: 'doc', docName: name });
    }
  });
});

describe('resolveUser', () => {
  it('keeps valid identities and replaces invalid parts', () => {
    expect(resolveUser({ name: 'Ada', color: '#AABBCC' }, 1)).toEqual({
      name: 'Ada',
      color: '#aabbcc',
    });
    const guest = resolveUser({ name: '\u0000', color: 'javascript:x' }, 42);
    expect(guest.name).toBe('Guest 42');
    expect(guest.color).toMatch(/^#[0-9a-f]{6}$/);
  });
});
