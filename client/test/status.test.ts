import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import {
  computeStatus,
  fatalCloseMessage,
  isDurablySaved,
  stateVectorCovers,
  type StatusInput,
} from '../src/status.js';

function docWith(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText('codemirror').insert(0, text);
  return doc;
}

const base = (overrides: Partial<StatusInput> = {}): StatusInput => ({
  phase: 'connected',
  synced: true,
  wasOffline: false,
  local: Y.encodeStateVector(new Y.Doc()),
  durable: null,
  durableUpdates: null,
  sentUpdates: 0,
  fatal: null,
  readOnly: false,
  denied: null,
  offlineStore: true,
  ...overrides,
});

describe('stateVectorCovers', () => {
  it('is true when every local clock is reached', () => {
    expect(
      stateVectorCovers(
        new Map([
          [1, 5],
          [2, 3],
        ]),
        new Map([[1, 5]]),
      ),
    ).toBe(true);
  });
  it('is false when one client is behind or missing', () => {
    expect(stateVectorCovers(new Map([[1, 4]]), new Map([[1, 5]]))).toBe(false);
    expect(stateVectorCovers(new Map([[1, 5]]), new Map([[2, 1]]))).toBe(false);
  });
});

describe('isDurablySaved', () => {
  it('is false while an update message we sent is not yet durable, though the vector covers it', () => {
    const sv = Y.encodeStateVector(docWith('abc'));
    // A delete-only edit leaves the state vector unchanged: only the message count tells.
    expect(isDurablySaved(sv, sv, { durable: 3, sent: 4 })).toBe(false);
    expect(isDurablySaved(sv, sv, { durable: 4, sent: 4 })).toBe(true);
    expect(
      computeStatus(base({ local: sv, durable: sv, durableUpdates: 3, sentUpdates: 4 })).label,
    ).toBe('Online · saving…');
    expect(
      computeStatus(base({ local: sv, durable: sv, durableUpdates: 4, sentUpdates: 4 })).status,
    ).toBe('saved');
  });

  it('falls back to the state vector alone when the server sends no count', () => {
    const sv = Y.encodeStateVector(docWith('abc'));
    expect(isDurablySaved(sv, sv, { durable: null, sent: 9 })).toBe(true);
  });

  it('needs an ack that covers the local document', () => {
    const doc = docWith('hello');
    const saved = Y.encodeStateVector(doc);
    expect(isDurablySaved(saved, null)).toBe(false);
    expect(isDurablySaved(saved, saved)).toBe(true);
    doc.getText('codemirror').insert(5, '!');
    expect(isDurablySaved(Y.encodeStateVector(doc), saved)).toBe(false);
  });
});

describe('computeStatus', () => {
  it('says "All changes saved" only when the durable state covers the local state', () => {
    const doc = docWith('text');
    const sv = Y.encodeStateVector(doc);
    expect(computeStatus(base({ local: sv, durable: sv })).status).toBe('saved');
    expect(computeStatus(base({ local: sv, durable: null }))).toEqual({
      status: 'online',
      label: 'Online',
    });
    const behind = Y.encodeStateVector(new Y.Doc());
    expect(computeStatus(base({ local: sv, durable: behind })).label).toBe('Online · saving…');
  });

  it('is connecting before the first sync and offline once a connection failed', () => {
    expect(computeStatus(base({ phase: 'connecting', synced: false })).status).toBe('connecting');
    expect(computeStatus(base({ phase: 'connected', synced: false })).status).toBe('connecting');
    expect(computeStatus(base({ phase: 'disconnected', synced: false })).status).toBe('offline');
    // Retrying does not flip back to "connecting" (screen readers would announce every try).
    expect(
      computeStatus(base({ phase: 'connecting', synced: false, wasOffline: true })).status,
    ).toBe('offline');
  });

  it('explains whether offline edits are kept', () => {
    const offline = base({ phase: 'disconnected', synced: false });
    expect(computeStatus(offline).label).toMatch(/kept on this device/);
    expect(computeStatus({ ...offline, offlineStore: false }).label).toMatch(/reconnecting/);
  });

  it('shows a fatal message above everything else', () => {
    const view = computeStatus(base({ fatal: 'No access', phase: 'disconnected' }));
    expect(view).toEqual({ status: 'denied', label: 'No access' });
  });

  it('never claims "saved" for a view-only session', () => {
    const sv = Y.encodeStateVector(docWith('x'));
    expect(computeStatus(base({ readOnly: true, local: sv, durable: sv }))).toEqual({
      status: 'online',
      label: 'Online',
    });
  });

  it('says so when the server refused an edit', () => {
    const view = computeStatus(base({ readOnly: true, denied: 'read-only' }));
    expect(view.label).toMatch(/refused an edit/);
  });
});

describe('fatalCloseMessage', () => {
  it('names the problem for each fatal close code', () => {
    expect(fatalCloseMessage(CloseCode.Unauthenticated, 'expired')).toMatch(/expired/);
    expect(fatalCloseMessage(CloseCode.Unauthenticated, '')).toMatch(/Not signed in/);
    expect(fatalCloseMessage(CloseCode.Forbidden, '')).toMatch(/No access/);
    expect(fatalCloseMessage(CloseCode.BadMessage, '')).toMatch(/Reload/);
  });
});
