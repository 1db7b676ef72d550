/**
 * A fault-injecting TCP proxy for chaos tests: clients connect to it on 127.0.0.1 (port 0) and it
 * forwards every byte to a Quire server, through faults the test turns on and off while clients
 * are connected:
 *   - latency (added one-way delay per direction) and a bandwidth cap (bytes/s per direction);
 *   - stall: stop forwarding AND stop reading, so the kernel buffers fill and the sender sees a
 *     peer that never reads (TCP backpressure reaches the server);
 *   - reset: RST both sides (socket.resetAndDestroy()), optionally after forwarding only part of
 *     a chunk, so the receiver is left with half a WebSocket frame;
 *   - half-open: the peer vanishes without a FIN: nothing is forwarded either way and neither
 *     socket is closed, so only a heartbeat (or the client's own silence timeout) can notice.
 * Settings apply to every current and future connection; each connection can override them.
 */
import net from 'node:net';
import { Pipe, type LinkSettings } from './fault-pipe.js';

export type { LinkSettings } from './fault-pipe.js';
export type Direction = 'up' | 'down';

/** Per-direction settings: `up` is client → server, `down` is server → client. */
export interface ProxySettings {
  up: LinkSettings;
  down: LinkSettings;
}

const unlimited = (): LinkSettings => ({ latencyMs: 0, bytesPerSecond: null, stalled: false });

export interface ResetOptions {
  /** Forward only part of the next chunk in flight (either direction) before the RST. */
  midFrame?: boolean;
  /** With midFrame, how long to wait for a chunk before resetting anyway. Default 250 ms. */
  maxWaitMs?: number;
}

export interface ProxyStats {
  accepted: number;
  resets: number;
  /** Resets that left the receiver with part of a chunk. */
  midFrameResets: number;
  bytesUp: number;
  bytesDown: number;
}

export class ProxiedConnection {
  readonly overrides: { up: Partial<LinkSettings>; down: Partial<LinkSettings> } = {
    up: {},
    down: {},
  };
  private readonly upPipe: Pipe;
  private readonly downPipe: Pipe;
  private dead = false;
  private halfOpenNow = false;

  constructor(
    readonly client: net.Socket,
    readonly upstream: net.Socket,
    private readonly proxy: FaultProxy,
    private readonly onGone: (c: ProxiedConnection) => void,
  ) {
    const settingsOf = (d: Direction) => () => ({ ...proxy.settings[d], ...this.overrides[d] });
    this.upPipe = new Pipe(client, upstream, settingsOf('up'), (n) => (proxy.stats.bytesUp += n));
    this.downPipe = new Pipe(upstream, client, settingsOf('down'), (n) => {
      proxy.stats.bytesDown += n;
    });
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', () => {});
      socket.on('close', (hadError) => {
        // A half-open link never tells the other side anything.
        if (this.halfOpenNow) return;
        if (hadError) this.resetSocket(other);
        else this.pipeFrom(socket).endWhenDrained();
        if (client.destroyed && upstream.destroyed) this.finish();
      });
    }
  }

  get isHalfOpen(): boolean {
    return this.halfOpenNow;
  }

  get closed(): boolean {
    return this.dead;
  }

  /** Applies changed settings (called by the proxy after every change). */
  refresh(): void {
    this.upPipe.pump();
    this.downPipe.pump();
  }

  set(direction: Direction | 'both', settings: Partial<LinkSettings>): void {
    for (const d of direction === 'both' ? (['up', 'down'] as const) : [direction]) {
      Object.assign(this.overrides[d], settings);
    }
    this.refresh();
  }

  stall(direction: Direction | 'both' = 'both'): void {
    this.set(direction, { stalled: true });
  }

  resume(direction: Direction | 'both' = 'both'): void {
    this.set(direction, { stalled: false });
  }

  /** The peer vanishes: nothing more is read or forwarded, no FIN or RST is ever sent. Only
   * reset() (or the proxy's close()) ends such a connection. */
  halfOpen(): void {
    this.halfOpenNow = true;
    this.upPipe.freeze();
    this.downPipe.freeze();
  }

  /** RSTs both sockets; with midFrame, first forwards part of a chunk. Resolves once reset. */
  async reset(options: ResetOptions = {}): Promise<void> {
    if (this.dead) return;
    let partial = false;
    if (options.midFrame && !this.halfOpenNow) {
      partial = await Promise.race([
        this.downPipe.forwardPartOfNextChunk(),
        this.upPipe.forwardPartOfNextChunk(),
        new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(false), options.maxWaitMs ?? 250),
        ),
      ]);
    }
    if (this.dead) return;
    this.proxy.stats.resets++;
    if (partial) this.proxy.stats.midFrameResets++;
    this.resetSocket(this.client);
    this.resetSocket(this.upstream);
    this.finish();
  }

  /** Ends this connection at once (used by the proxy's close()). */
  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
    this.finish();
  }

  private pipeFrom(socket: net.Socket): Pipe {
    return socket === this.client ? this.upPipe : this.downPipe;
  }

  private resetSocket(socket: net.Socket): void {
    if (socket.destroyed) return;
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  }

  private finish(): void {
    if (this.dead) return;
    this.dead = true;
    this.upPipe.freeze();
    this.downPipe.freeze();
    this.onGone(this);
  }
}

export class FaultProxy {
  readonly settings: ProxySettings = { up: unlimited(), down: unlimited() };
  readonly stats: ProxyStats = {
    accepted: 0,
    resets: 0,
    midFrameResets: 0,
    bytesUp: 0,
    bytesDown: 0,
  };
  private readonly live = new Set<ProxiedConnection>();
  private readonly server: net.Server;
  private listeningPort = 0;

  private constructor(public targetPort: number) {
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) =>
      this.accept(client),
    );
  }

  /** Starts a proxy to 127.0.0.1:targetPort on a free port of 127.0.0.1. */
  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.listeningPort = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** ws:// URL of the proxy, for WebSocket clients. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.listeningPort}`;
  }

  /** Live connections, oldest first. */
  get connections(): ProxiedConnection[] {
    return [...this.live];
  }

  set(direction: Direction | 'both', settings: Partial<LinkSettings>): void {
    for (const d of direction === 'both' ? (['up', 'down'] as const) : [direction]) {
      Object.assign(this.settings[d], settings);
    }
    for (const c of this.live) c.refresh();
  }

  setLatency(ms: number, direction: Direction | 'both' = 'both'): void {
    this.set(direction, { latencyMs: ms });
  }

  /** Caps throughput (null lifts the cap); server → client unless told otherwise. */
  setBandwidth(bytesPerSecond: number | null, direction: Direction | 'both' = 'down'): void {
    this.set(direction, { bytesPerSecond });
  }

  stall(direction: Direction | 'both' = 'both'): void {
    this.set(direction, { stalled: true });
  }

  resume(direction: Direction | 'both' = 'both'): void {
    this.set(direction, { stalled: false });
  }

  /** Back to a clean link: no latency, no cap, no stall (half-open connections stay dead). */
  heal(): void {
    this.settings.up = unlimited();
    this.settings.down = unlimited();
    for (const c of this.live) {
      c.overrides.up = {};
      c.overrides.down = {};
      c.refresh();
    }
  }

  /** Every current connection goes half-open (see ProxiedConnection.halfOpen). */
  halfOpenAll(): void {
    for (const c of this.live) c.halfOpen();
  }

  /** RSTs every current connection; resolves with how many were reset. */
  async resetAll(options: ResetOptions = {}): Promise<number> {
    const victims = [...this.live];
    await Promise.all(victims.map((c) => c.reset(options)));
    return victims.length;
  }

  async close(): Promise<void> {
    for (const c of [...this.live]) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.stats.accepted++;
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort, allowHalfOpen: true });
    const connection = new ProxiedConnection(client, upstream, this, (c) => this.live.delete(c));
    this.live.add(connection);
  }
}
