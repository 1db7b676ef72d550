import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import {
  CloseCode,
  encodeAwareness,
  encodePersistedAck,
  encodeRollbackReport,
  encodeSyncStep1,
} from '@quire/shared';
import { createConnection, type QuireConnection } from '../src/connection.js';
import type { Refusal } from '../src/access-probe.js';

/** Just enough of a browser WebSocket for y-websocket; the test plays the server. */
class FakeSocket {
  static readonly instances: FakeSocket[] = [];
  readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  sent: Uint8Array[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  /** The server accepts the connection. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  /** The server (or the network) closes the connection. */
  drop(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

let connection: QuireConnection | null = null;
let docCounter = 0;

let probeAnswer: Refusal | null = null;
let probedUrls: string[] = [];

/** What the connection handed to its onAcknowledged option (for the offline store). */
const acknowledgedSeen: Uint8Array[] = [];

function connect(): QuireConnection {
  FakeSocket.instances.length = 0;
  acknowledgedSeen.length = 0;
  probedUrls = [];
  connection = createConnection({
    probeAccess: async (url) => {
      probedUrls.push(url);
      return probeAnswer;
    },
    serverUrl: 'ws://quire.test',
    docName: `lifecycle-${docCounter++}`,
    ydoc: new Y.Doc(),
    token: 'abc',
    backoff: { baseMs: 100, maxMs: 1000 },
    WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket,
    onAcknowledged: (sv) => acknowledgedSeen.push(sv),
  });
  connection.connect();
  return connection;
}

const latest = (): FakeSocket => FakeSocket.instances.at(-1) as FakeSocket;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  connection?.destroy();
  connection = null;
  vi.useRealTimers();
});

describe('createConnection', () => {
  it('opts into Quire extensions and sends the token as URL parameters', () => {
    connect();
    const url = new URL(latest().url);
    expect(url.searchParams.get('quire')).toBe('1');
    expect(url.searchParams.get('token')).toBe('abc');
  });

  it('retries with a jittered, growing delay after the server goes away', () => {
    const conn = connect();
    latest().accept();
    latest().drop(1006);
    expect(conn.state()).toMatchObject({ phase: 'disconnected', wasOffline: true });
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(100); // the first delay is between 50 and 100 ms
    expect(FakeSocket.instances).toHaveLength(2);
    latest().drop(1006);
    vi.advanceTimersByTime(99); // the second is at least 100 ms
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(101);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it.each([CloseCode.Unauthenticated, CloseCode.Forbidden])(
    'stops for good after close code %i and says why',
    (code) => {
      const conn = connect();
      latest().accept();
      latest().drop(code, 'token expired');
      vi.advanceTimersByTime(60_000);
      expect(FakeSocket.instances).toHaveLength(1);
      expect(conn.state().fatal).toMatch(/token expired/);
      expect(conn.state().retryDelayMs).toBeNull();
    },
  );

  it.each([
    [CloseCode.BadMessage, 'message rejected'],
    [CloseCode.TooLarge, 'document too large'],
    [CloseCode.TryAgainLater, 'server busy'],
    [CloseCode.InternalError, 'server error'],
  ])('reconnects after close code %i and says why meanwhile (%s)', (code, notice) => {
    const conn = connect();
    latest().accept();
    latest().drop(code, 'update has missing dependencies');
    expect(conn.state()).toMatchObject({ fatal: null, retryNotice: notice, unreachable: false });
    vi.advanceTimersByTime(100);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('asks the access probe when a socket fails before opening, and stops on a refusal', async () => {
    probeAnswer = { reason: 'forbidden', detail: 'token is for another document' };
    try {
      const conn = connect();
      latest().drop(1006);
      expect(probedUrls).toEqual([
        'http://quire.test/api/access/' + conn.provider.roomname + '?token=abc',
      ]);
      await vi.waitFor(() => expect(conn.state().fatal).toMatch(/No access.*another document/));
      vi.advanceTimersByTime(60_000);
      expect(FakeSocket.instances).toHaveLength(1);
    } finally {
      probeAnswer = null;
    }
  });

  it('keeps retrying when the probe finds nothing wrong (the server is just down)', async () => {
    const conn = connect();
    latest().drop(1006);
    await Promise.resolve();
    vi.advanceTimersByTime(100);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(conn.state().fatal).toBeNull();
    // Probed on the first failure, then only every fifth.
    for (let i = 0; i < 3; i++) {
      latest().drop(1006);
      vi.advanceTimersByTime(1_000);
    }
    expect(probedUrls).toHaveLength(1);
  });

  it('never probes after a connection that did open', () => {
    connect();
    latest().accept();
    latest().drop(1006);
    expect(probedUrls).toEqual([]);
  });

  it('keeps retrying after a try-again-later or shutdown close', () => {
    connect();
    latest().accept();
    latest().drop(CloseCode.TryAgainLater);
    vi.advanceTimersByTime(1000);
    latest().drop(CloseCode.GoingAway);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances.length).toBeGreaterThanOrEqual(3);
  });

  it('re-announces presence with a new awareness clock on every reconnect', () => {
    const conn = connect();
    conn.awareness.setLocalStateField('user', { name: 'Ada', color: '#8250df' });
    latest().accept();
    const clockAfterFirst = conn.awareness.meta.get(conn.awareness.clientID)?.clock ?? 0;
    latest().drop(1006);
    vi.advanceTimersByTime(1000);
    latest().accept();
    const clockAfterSecond = conn.awareness.meta.get(conn.awareness.clientID)?.clock ?? 0;
    expect(clockAfterSecond).toBeGreaterThan(clockAfterFirst);
    // The bumped state went out on the new socket.
    expect(latest().sent.some((frame) => frame[0] === 1)).toBe(true);
  });

  it('applies remote presence cleaned, and never echoes it back to the server', () => {
    const conn = connect();
    latest().accept();
    const peer = new Awareness(new Y.Doc());
    peer.setLocalState({ user: { name: 'Mallory\u202e', color: 'red;x:y' } });
    const frame = encodeAwareness(encodeAwarenessUpdate(peer, [peer.clientID]));
    const sentBefore = latest().sent.length;
    latest().onmessage?.({ data: frame.slice().buffer });
    const state = conn.awareness.getStates().get(peer.clientID);
    expect(state?.user).toEqual({ name: 'Mallory', color: '#6b7280', colorLight: '#6b728033' });
    expect(latest().sent.length).toBe(sentBefore);
  });

  /** Types `text`, gets it acknowledged as durable, loses the socket and reconnects; then the
   * new server's sync step 1 carries `serverState` (its state vector, or the acknowledged one
   * when omitted). Returns what the client sent in reply. */
  function reconnectAfterAck(text: string, serverState?: Uint8Array) {
    const conn = connect();
    conn.provider.doc.getText('codemirror').insert(0, text);
    const acknowledged = Y.encodeStateVector(conn.provider.doc);
    latest().accept();
    latest().onmessage?.({ data: encodePersistedAck(acknowledged, 1).slice().buffer });
    latest().drop(1006);
    vi.advanceTimersByTime(1000);
    latest().accept();
    const sentBefore = latest().sent.length;
    const stepOne = encodeSyncStep1(serverState ?? acknowledged);
    latest().onmessage?.({ data: stepOne.slice().buffer });
    return { conn, acknowledged, replies: latest().sent.slice(sentBefore) };
  }

  it('reports a server that lost acknowledged edits before restoring them, and says so', () => {
    // The restarted server's storage was restored from a backup: it has nothing.
    const { conn, acknowledged, replies } = reconnectAfterAck('acknowledged', Uint8Array.of(0));
    expect(replies[0]).toEqual(encodeRollbackReport(acknowledged));
    // Then the provider's own answer: sync step 2 with everything the server lacks.
    expect(Array.from(replies[1]?.subarray(0, 2) ?? [])).toEqual([0, 1]);
    expect(conn.state().rollbackRepaired).toBe('acknowledged'.length);
    expect(acknowledgedSeen).toEqual([acknowledged]);
  });

  it('reports a server behind the durable state an earlier page kept (after a reload)', () => {
    const earlierPage = new Y.Doc();
    earlierPage.getText('codemirror').insert(0, 'from the last page');
    const conn = connect();
    conn.rememberAcknowledged(Y.encodeStateVector(earlierPage));
    latest().accept();
    latest().onmessage?.({ data: encodeSyncStep1(Uint8Array.of(0)).slice().buffer });
    expect(latest().sent.some((frame) => frame[0] === 101)).toBe(true);
    expect(conn.state().rollbackRepaired).toBe('from the last page'.length);
  });

  it('sends no report when the server still has everything it acknowledged', () => {
    const { conn, replies } = reconnectAfterAck('kept');
    expect(replies.some((frame) => frame[0] === 101)).toBe(false);
    expect(conn.state().rollbackRepaired).toBeNull();
  });
});
