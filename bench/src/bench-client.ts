/**
 * One lightweight protocol client: a ws socket that speaks the y-websocket handshake (or the
 * Hocuspocus variant) without a provider. Readers keep the raw update bytes they receive and only
 * build a Y.Doc at the end, for the correctness gate, so thousands of them fit in one process
 * without the load generator becoming the bottleneck. Typists and cold-load readers pass a Y.Doc
 * and apply everything as it arrives, like a real editor.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import type { Counters, LatencyRecorder } from './counters.js';
import {
  MESSAGE_AWARENESS,
  MESSAGE_SYNC,
  MESSAGE_SYNC_REPLY,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
  awarenessClientIds,
  encodeAwarenessEntry,
  firstStructId,
  frameHeaderBytes,
  type Wire,
} from './wire.js';

/** The state vector and update of an empty document, as Yjs encodes them. */
const EMPTY_STATE_VECTOR = new Uint8Array([0]);
const EMPTY_UPDATE = new Uint8Array([0, 0]);

/** Origin for updates that came from the server, so typists do not send them back. */
export const REMOTE = Symbol('remote');

export interface BenchClientOptions {
  wire: Wire;
  baseUrl: string;
  docName: string;
  counters: Counters;
  latency?: LatencyRecorder;
  /** Full replica: applied on arrival. Without one, update bytes are kept for the gate. */
  doc?: Y.Doc;
  /** Announced once after the socket opens, like a stock client's presence. */
  awarenessState?: unknown;
  /** Called with every document update that arrives (after it is applied to `doc`). */
  onUpdate?(update: Uint8Array): void;
}

export class BenchClient {
  readonly ws: WebSocket;
  readonly clientID: number;
  readonly received: Uint8Array[] = [];
  /** Resolves once the server's sync step 2 arrived. */
  readonly synced: Promise<void>;
  /** Resolves when the socket closed (for any reason); carries the close code. */
  readonly closed: Promise<number>;
  closeCode: number | null = null;
  /** Document updates from other authors received by this client. */
  updatesReceived = 0;
  /** Sync step 2 messages received: the first completes the handshake; a later one on the same
   * socket is a resync in place (a server catching up a reader it stopped sending to). */
  syncStep2Received = 0;
  private awarenessClock = 0;
  private markSynced!: () => void;

  constructor(private readonly options: BenchClientOptions) {
    this.clientID = options.doc?.clientID ?? Math.floor(Math.random() * 0x7fffffff);
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    this.ws = new WebSocket(options.wire.url(options.baseUrl, options.docName), {
      perMessageDeflate: false,
    });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => this.onOpen());
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
    this.ws.on('error', () => {
      // Reported through 'close'; a refused or dropped socket is counted by the scenario.
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code) => {
        this.closeCode = code;
        this.markSynced();
        resolve(code);
      }),
    );
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  sendUpdate(update: Uint8Array): void {
    this.send((e) => {
      encoding.writeVarUint(e, MESSAGE_SYNC);
      encoding.writeVarUint(e, SYNC_UPDATE);
      encoding.writeVarUint8Array(e, update);
    });
  }

  sendAwareness(state: unknown): void {
    const payload = encodeAwarenessEntry(this.clientID, ++this.awarenessClock, state);
    this.send((e) => {
      encoding.writeVarUint(e, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(e, payload);
    });
  }

  /** The replica this client holds: its live doc, or one built from the bytes it received. */
  replica(): Y.Doc {
    if (this.options.doc) return this.options.doc;
    const doc = new Y.Doc();
    doc.transact(() => {
      for (const update of this.received) Y.applyUpdate(doc, update);
    });
    return doc;
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close();
    }
    return this.closed;
  }

  private send(body: (encoder: encoding.Encoder) => void): void {
    if (!this.isOpen) return;
    const frame = this.options.wire.frame(this.options.docName, body);
    this.options.counters.framesOut++;
    this.options.counters.bytesOut += frame.length + frameHeaderBytes(frame.length, true);
    this.ws.send(frame);
  }

  private onOpen(): void {
    for (const frame of this.options.wire.hello(this.options.docName)) this.ws.send(frame);
    const doc = this.options.doc;
    const stateVector = doc ? Y.encodeStateVector(doc) : EMPTY_STATE_VECTOR;
    this.send((e) => {
      encoding.writeVarUint(e, MESSAGE_SYNC);
      encoding.writeVarUint(e, SYNC_STEP1);
      encoding.writeVarUint8Array(e, stateVector);
    });
    if (this.options.awarenessState !== undefined) this.sendAwareness(this.options.awarenessState);
  }

  private onMessage(data: Buffer): void {
    const at = performance.now();
    const counters = this.options.counters;
    counters.framesIn++;
    counters.bytesIn += data.length + frameHeaderBytes(data.length, false);
    const { type, decoder } = this.options.wire.decode(data);
    if (type === MESSAGE_SYNC || type === MESSAGE_SYNC_REPLY) {
      const subtype = decoding.readVarUint(decoder);
      if (subtype === SYNC_STEP1) {
        const stateVector = decoding.readVarUint8Array(decoder);
        const doc = this.options.doc;
        const reply = doc ? Y.encodeStateAsUpdate(doc, stateVector) : EMPTY_UPDATE;
        this.send((e) => {
          encoding.writeVarUint(e, MESSAGE_SYNC);
          encoding.writeVarUint(e, SYNC_STEP2);
          encoding.writeVarUint8Array(e, reply);
        });
        return;
      }
      const update = decoding.readVarUint8Array(decoder);
      if (subtype === SYNC_UPDATE) {
        const id = firstStructId(update);
        if (id === null || !id.startsWith(`${this.clientID}:`)) {
          counters.updateDeliveries++;
          this.updatesReceived++;
          if (id !== null) this.options.latency?.received(id, at);
        }
      }
      this.accept(update);
      if (subtype === SYNC_STEP2) {
        this.syncStep2Received++;
        this.markSynced();
      }
    } else if (type === MESSAGE_AWARENESS) {
      const payload = decoding.readVarUint8Array(decoder);
      for (const id of awarenessClientIds(payload)) {
        if (id !== this.clientID) counters.awarenessDeliveries++;
      }
    }
    // Other types (Hocuspocus auth replies and per-update sync status) are only counted.
  }

  private accept(update: Uint8Array): void {
    if (this.options.doc) Y.applyUpdate(this.options.doc, update, REMOTE);
    // A copy: a view would pin ws's receive buffer for the whole run.
    else this.received.push(update.slice());
    this.options.onUpdate?.(update);
  }
}
