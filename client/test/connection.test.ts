import { describe, expect, it } from 'vitest';
import { docPath, toWebSocketUrl } from '../src/connection.js';
import { offlineStoreName } from '../src/offline.js';

describe('toWebSocketUrl', () => {
  it('turns http(s) into ws(s) and drops trailing slashes', () => {
    expect(toWebSocketUrl('http://localhost:1234/')).toBe('ws://localhost:1234');
    expect(toWebSocketUrl('https://quire.example/sync')).toBe('wss://quire.example/sync');
    expect(toWebSocketUrl('ws://127.0.0.1:9')).toBe('ws://127.0.0.1:9');
  });
});

describe('docPath', () => {
  it('percent-encodes each segment but keeps the slashes', () => {
    expect(docPath('team-a/notes')).toBe('team-a/notes');
    expect(docPath('café/été')).toBe('caf%C3%A9/%C3%A9t%C3%A9');
  });
});

describe('offlineStoreName', () => {
  it('differs per server and per document', () => {
    expect(offlineStoreName('ws://a:1', 'doc')).not.toBe(offlineStoreName('ws://b:1', 'doc'));
    expect(offlineStoreName('ws://a:1/', 'doc')).toBe(offlineStoreName('ws://a:1', 'doc'));
  });
});
