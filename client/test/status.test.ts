import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import {
  OFFLINE_KEPT_IN_TAB,
  OFFLINE_KEPT_ON_DEVICE,
  RECONNECTING,
  SAVED,
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
  unreachable: false,
  retryNotice: null,
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

  it('is connecting before the first sync', () => {
    expect(computeStatus(base({ phase: 'connecting', synced: false })).status).toBe('connecting');
    expect(computeStatus(base({ phase: 'connected', synced: false })).status).toBe('connecting');
  });

  it('says "Reconnecting…" after losing a connection, until an attempt shows the server unreachable', () => {
    const dropped = base({ phase: 'disconnected', synced: false, wasOffline: true });
    expect(computeStatus(dropped)).toEqual({ status: 'reconnecting', label: RECONNECTING });
    // The next attempt is under way: still reconnecting.
    expect(computeStatus({ ...dropped, phase: 'connecting' }).label).toBe(RECONNECTING);
    // Its socket opened but has not synced yet: still reconnecting, not "online".
    expect(computeStatus({ ...dropped, phase: 'connected' }).status).toBe('reconnecting');
  });

  it('says why it reconnects when the server closed the socket with a refusal', () => {
    const refused = base({
      phase: 'disconnected',
      synced: false,
      wasOffline: true,
      retryNotice: 'server busy',
    });
    expect(computeStatus(refused)).toEqual({
      status: 'reconnecting',
      label: 'Reconnecting… · server busy',
    });
  });

  it('is offline once the server cannot be reached, and stays so through the retries', () => {
    const unreachable = base({
      phase: 'disconnected',
      synced: false,
      wasOffline: true,
      unreachable: true,
    });
    expect(computeStatus(unreachable)).toEqual({
      status: 'offline',
      label: OFFLINE_KEPT_ON_DEVICE,
    });
    // A retry in progress, or one whose socket opened and is syncing, does not flip it back
    // (screen readers would announce every attempt).
    expect(computeStatus({ ...unreachable, phase: 'connecting' }).status).toBe('offline');
    expect(computeStatus({ ...unreachable, phase: 'connected' }).status).toBe('offline');
    // A page that never got online is offline too once its first attempt failed.
    expect(computeStatus({ ...unreachable, wasOffline: false }).status).toBe('offline');
  });

  it('says where offline edits are kept: on this device only with a working offline store', () => {
    const unreachable = base({ phase: 'disconnected', synced: false, unreachable: true });
    expect(computeStatus(unreachable).label).toBe('Offline · edits kept on this device');
    expect(computeStatus({ ...unreachable, offlineStore: false }).label).toBe(OFFLINE_KEPT_IN_TAB);
    expect(OFFLINE_KEPT_IN_TAB).toBe('Offline · edits kept in this tab');
    // A view-only editor has no edits to keep.
    expect(computeStatus({ ...unreachable, readOnly: true }).label).toBe('Offline');
  });

  it('never says "saved" without a synced connection, whatever the last ack said', () => {
    const sv = Y.encodeStateVector(docWith('kept'));
    const covered = { local: sv, durable: sv, durableUpdates: 1, sentUpdates: 1 };
    expect(computeStatus(base(covered)).label).toBe(SAVED);
    for (const phase of ['connecting', 'connected', 'disconnected'] as const) {
      const view = computeStatus(base({ ...covered, phase, synced: false, wasOffline: true }));
      expect(view.status, phase).not.toBe('saved');
    }
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
  it('names the problem for each close code after which the editor stops', () => {
    expect(fatalCloseMessage(CloseCode.Unauthenticated, 'expired')).toMatch(/expired/);
    expect(fatalCloseMessage(CloseCode.Unauthenticated, '')).toMatch(/Not signed in/);
    expect(fatalCloseMessage(CloseCode.Forbidden, '')).toMatch(/No access/);
  });

  it('never tells anyone to reload for a code the editor retries after', () => {
    for (const code of [CloseCode.BadMessage, CloseCode.TooLarge, 1011, 1013, 4500]) {
      expect(fatalCloseMessage(code, 'update has missing dependencies')).not.toMatch(/reload/i);
    }
  });
});
