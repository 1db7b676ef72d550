/**
 * One WebSocket: decodes frames, hands them to its room, throttles a client over its budget
 * (read-throttle.ts), holds back frames for a reader that cannot keep up (slow-reader.ts), asks
 * for what is missing when an update arrives before what it depends on (sync-gap.ts), and closes
 * with a named code on bad input. A bad frame closes only this socket; nothing here can throw
 * into ws.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  CloseCode,
  decodeClientFrame,
  encodeSyncStep2,
  isQuireError,
  type ClientFrame,
} from '@quire/shared';
import type { Peer } from '../room/peer.js';
import { ConnectionRateLimiter, type RateLimits } from '../guards/rate-limiter.js';
import { ReadThrottle } from './read-throttle.js';
import { SlowReader, type DocState, type SlowReaderEvents } from './slow-reader.js';
import { SyncGapRequests } from '../guards/sync-gap.js';
import type { RevalidatedSession } from '../access/revalidate.js';
import type { SweptSession } from '../access/session-sweep.js';
import type { UpgradeRequest } from '../access/access.js';
import type { CreationQuota } from '../guards/creation-quota.js';
import type { UpdateGuard } from '../guards/update-guard.js';
import type { Room } from '../room/room.js';
import { sendBatcher } from './send-batcher.js';
import { sharedBinaryFrame } from './ws-frame.js';
import { stepOneAfterEarlySync } from './early-sync.js';
import { examineRollbackReport } from '../room/rollback-report.js';
import { admitUpdate, type UpdateSender } from '../guards/update-admission.js';
import { MAX_MESSAGES_BEFORE_READY } from '../limits.js';
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

/** What is particular to one connection, decided at the upgrade. */
export interface ConnectionSession {
  docName: string;
  readOnly: boolean;
  extensions: boolean;
  /** When access ends (token `exp` + leeway), milliseconds since the epoch; the session sweep
   * closes the connection with 4401 then. */
  expiresAt?: number;
  /** The upgrade request, kept only when the server revalidates sessions (auth/revalidate.ts):
   * otherwise its URL and headers would stay in memory for the life of every socket. */
  request?: UpgradeRequest;
  /** Who pays for documents this connection creates (auth/creation-quota.ts); null = exempt. */
  quotaKey: string | null;
  /** The token subject (Access.principal), when there is one: version history's author name. */
  principal?: string;
}

/** What every connection of one server shares: built once per server, not per socket. */
export interface ConnectionContext {
  sendHighWaterBytes: number;
  slowConsumerTimeoutMs: number;
  /** The first message must arrive within this, or the session sweep closes with 1013. */
  handshakeTimeoutMs: number;
  rateLimits: RateLimits;
  updateGuard: UpdateGuard;
  creationQuota: CreationQuota;
  log: Logger;
  metrics: Metrics;
  onClose(connection: Connection): void;
}

let nextConnectionId = 1;

export class Connection
  implements Peer, SweptSession, RevalidatedSession, UpdateSender, SlowReaderEvents
{
  readonly id = nextConnectionId++;
  readonly awarenessIds = new Set<number>();
  updatesHandled = 0;
  private rollbackReported = false;
  /** Not readonly: revalidation can turn an editor into a viewer mid-session. */
  readOnly: boolean;
  readonly extensions: boolean;
  readonly docName: string;
  expiresAt: number | undefined;
  readonly request: UpgradeRequest | undefined;
  readonly quotaKey: string | null;
  readonly principal: string | undefined;
  firstMessageDeadline: number | null;
  private readonly throttle: ReadThrottle<Buffer>;
  private readonly slowReader: SlowReader;
  private gaps: SyncGapRequests | null = null;
  /** Cleared by the heartbeat each interval, set again by any pong or message. */
  isAlive = true;
  private room: Room | null = null;
  /** Frames that arrived while the document was still loading. */
  private queued: ClientFrame[] | null = [];
  private closing = false;
  /** State vector of the stored state sent before the room loaded (early-sync.ts), until the
   * client's sync step 1 has been answered relative to it. */
  private earlyStateVector: Uint8Array | null = null;
  /** The stored state sent early, until the room has loaded: its state vector is only computed
   * then, so that the early send is not delayed by a parse of the whole document. */
  private earlyState: Uint8Array | null = null;

  /** The TCP socket under ws: frames are written to it directly, encoded once per broadcast
   * (ws-frame.ts). ws sets it before it hands out the connection. */
  private readonly socket: Socket;

  constructor(
    private readonly ws: WebSocket,
    session: ConnectionSession,
    private readonly options: ConnectionContext,
  ) {
    this.docName = session.docName;
    this.quotaKey = session.quotaKey;
    this.principal = session.principal;
    this.readOnly = session.readOnly;
    this.extensions = session.extensions;
    this.expiresAt = session.expiresAt;
    this.request = session.request;
    this.firstMessageDeadline = Date.now() + options.handshakeTimeoutMs;
    this.socket = (ws as unknown as { _socket: Socket })._socket;
    this.throttle = new ReadThrottle(ws, new ConnectionRateLimiter(options.rateLimits), (data) =>
      this.onMessage(data),
    );
    this.slowReader = new SlowReader(
      this.socket,
      options.sendHighWaterBytes,
      options.slowConsumerTimeoutMs,
      this,
    );
    ws.on('message', (data, isBinary) => this.onReceived(data as Buffer, isBinary));
    ws.on('pong', () => {
      this.isAlive = true;
    });
    ws.on('error', (error) => {
      // ws reports protocol violations (bad opcodes, oversized frames…) here and closes itself.
      options.log.warn('socket error', {
        conn: this.id,
        doc: this.docName,
        error: errorMessage(error),
      });
    });
    ws.on('close', () => this.onClosed());
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  /** Joins the loaded room and replays what the client sent while it loaded. */
  attach(room: Room): void {
    if (!this.isOpen) return;
    this.room = room;
    if (this.earlyState) {
      // The document is loaded: now the state vector of what was sent early can be computed.
      this.earlyStateVector = Y.encodeStateVectorFromUpdate(this.earlyState);
      this.earlyState = null;
    }
    room.join(this);
    const queued = this.queued ?? [];
    this.queued = null;
    for (const frame of queued) {
      if (!this.isOpen) break;
      this.dispatch(room, frame);
    }
    this.throttle.loaded();
  }

  /** Sends a still-loading document's stored state as sync step 2 (see early-sync.ts). */
  sendStoredState(state: Uint8Array): void {
    if (this.room || !this.isOpen) return;
    // A state this large would still fill the send buffer when the room's join frames follow
    // and trip the slow-consumer check: such documents take the normal path (reply after load).
    if (state.length > this.options.sendHighWaterBytes / 2) return;
    this.send(encodeSyncStep2(state));
    sendBatcher.flush(); // on the wire now, before the load integrates the document
    this.earlyState = state;
  }

  /** `covers`: for a frame that carries a document change, the state this reader had before it;
   * if the frame has to be held back, the resync starts there (slow-reader.ts). */
  send(frame: Uint8Array, covers?: DocState): void {
    if (!this.isOpen) return;
    if (this.slowReader.shouldDrop(covers)) return;
    this.write(frame);
  }

  sendNow(frame: Uint8Array): void {
    if (this.isOpen) this.write(frame);
  }

  private write(frame: Uint8Array): void {
    sendBatcher.hold(this.socket); // one write per socket per event-loop turn
    this.socket.write(sharedBinaryFrame(frame));
    this.options.metrics.messagesSent++;
    this.options.metrics.bytesSent += frame.length;
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    if (code === CloseCode.BadMessage) this.options.metrics.protocolErrors++;
    this.ws.close(code, reason);
  }

  /** SlowReaderEvents: the socket drained, so the room sends what it missed, after the writes
   * queued so far. */
  drained(missedFrom: DocState | null): void {
    if (!this.isOpen || !this.room) return;
    this.options.metrics.slowConsumerResyncs++;
    this.room.resync(this, missedFrom, (frame) => this.write(frame));
  }

  /** SlowReaderEvents: it did not drain in time. */
  timedOut(): void {
    this.options.metrics.slowConsumersClosed++;
    this.options.log.warn('slow consumer did not drain in time', {
      conn: this.id,
      doc: this.docName,
    });
    this.close(CloseCode.TryAgainLater, 'slow consumer: send buffer did not drain');
  }

  /** Called by the room once the resync is written: frames go out again. */
  caughtUp(): void {
    this.slowReader.caughtUp();
  }

  /** For the heartbeat: a peer that never answered the last ping. */
  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  ping(): void {
    // A throttled socket is not being read, so its pong waits unread; it is alive (it has just
    // sent more than its budget).
    if (this.throttle.throttled) return;
    this.isAlive = false;
    this.ws.ping();
  }

  /** Every message ws hands over; it reaches onMessage when the budget allows (read-throttle.ts). */
  private onReceived(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    this.isAlive = true;
    this.firstMessageDeadline = null;
    this.options.metrics.messagesReceived++;
    this.options.metrics.bytesReceived += data.length;
    this.options.metrics.messageReceivedBytes.observe(data.length);
    if (!isBinary) {
      this.options.log.warn('text frame refused', { conn: this.id, doc: this.docName });
      this.close(CloseCode.UnsupportedData, 'binary frames only');
      return;
    }
    const pausesBefore = this.throttle.pauses;
    this.throttle.receive(data, data.length);
    if (this.throttle.pauses !== pausesBefore) {
      this.options.metrics.connectionsThrottled++;
      this.options.log.debug('over the message budget: reading paused', {
        conn: this.id,
        doc: this.docName,
      });
    }
  }

  private onMessage(data: Buffer): void {
    if (this.closing) return;
    if (this.expiresAt !== undefined && Date.now() >= this.expiresAt) {
      // Between two session sweeps: nothing from an expired session is applied.
      this.close(CloseCode.Unauthenticated, 'token expired');
      return;
    }
    let frame: ClientFrame;
    try {
      // The decoder copies every payload, so nothing keeps a view into ws's buffer.
      frame = decodeClientFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      this.options.log.warn('malformed message', {
        conn: this.id,
        doc: this.docName,
        code: isQuireError(error) ? error.code : undefined,
        error: errorMessage(error),
      });
      this.close(CloseCode.BadMessage, 'malformed message');
      return;
    }
    if (this.room) {
      this.dispatch(this.room, frame);
    } else if (this.queued) {
      this.queued.push(frame);
      // Nothing is dropped: past the limit the socket is simply not read until the load ends.
      if (this.queued.length >= MAX_MESSAGES_BEFORE_READY) this.throttle.holdUntilLoaded();
    }
  }

  /** Document updates pass admission (update-admission.ts) first; only then does the room see
   * them. */
  private dispatch(room: Room, frame: ClientFrame): void {
    if (frame.kind === 'rollback-report') {
      this.onRollbackReport(room, frame.acknowledged);
      return;
    }
    if (frame.kind === 'sync-step1' && this.earlyStateVector) {
      frame = stepOneAfterEarlySync(frame, this.earlyStateVector);
      this.earlyStateVector = null;
    }
    if (frame.kind === 'sync-step2' || frame.kind === 'sync-update') {
      // Before admission, which reads the document: a dormant one stays unbuilt (room.ts).
      if (room.absorbUnchanged(this, frame.update)) return;
      const isSyncStep2 = frame.kind === 'sync-step2';
      if (!admitUpdate(this, room.doc, frame.update, isSyncStep2, this.options)) return;
    }
    room.handle(this, frame);
  }

  gapRequests(): SyncGapRequests {
    return (this.gaps ??= new SyncGapRequests());
  }

  get existingGapRequests(): SyncGapRequests | null {
    return this.gaps;
  }

  /** See rollback-report.ts. One report per connection is examined; any more are ignored. */
  private onRollbackReport(room: Room, acknowledged: Uint8Array): void {
    if (this.rollbackReported) return;
    this.rollbackReported = true;
    examineRollbackReport(this, room.doc, acknowledged, this.options.log, this.options.metrics);
  }

  private onClosed(): void {
    this.closing = true;
    this.queued = null;
    this.throttle.destroy();
    this.slowReader.destroy();
    this.room?.leave(this);
    this.room = null;
    this.options.onClose(this);
  }
}
