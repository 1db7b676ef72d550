/**
 * One instance's link to Redis, through a TCP proxy that understands just enough of the Redis
 * protocol (RESP2, what ioredis speaks) to lose pub/sub deliveries for real: while `dropping` is
 * on, every `message` push carrying a Quire update envelope (kinds 1 and 2 of
 * src/bus/redis-codec.ts) is cut out of the Redis → instance stream, whole, so the connection
 * stays healthy and nothing tells the instance it missed anything. That is exactly how pub/sub
 * loses a message (it is at-most-once), without a reconnect that would trigger a catch-up.
 * Awareness and every reply (subscribe confirmations, PUBLISH counts) pass untouched.
 */
import net from 'node:net';

/** RESP2 frame end at `offset`, or -1 when the buffer holds only part of it. */
function frameEnd(buf: Buffer, offset: number): number {
  if (offset >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd === -1) return -1;
  const type = buf[offset];
  if (type === 0x2b || type === 0x2d || type === 0x3a) return lineEnd + 2; // + - :
  const n = Number(buf.toString('latin1', offset + 1, lineEnd));
  if (type === 0x24) {
    // $n: n bytes and CRLF ($-1: null)
    if (n < 0) return lineEnd + 2;
    const end = lineEnd + 2 + n + 2;
    return end <= buf.length ? end : -1;
  }
  if (type === 0x2a) {
    // *n: n frames (*-1: null)
    let at = lineEnd + 2;
    for (let i = 0; i < n; i++) {
      at = frameEnd(buf, at);
      if (at === -1) return -1;
    }
    return at;
  }
  throw new Error(`unexpected RESP byte 0x${(type ?? 0).toString(16)} from Redis`);
}

/** The elements of a flat array of bulk strings (a pub/sub push), or null for anything else. */
function bulkStrings(frame: Buffer): Buffer[] | null {
  if (frame[0] !== 0x2a) return null;
  let lineEnd = frame.indexOf('\r\n');
  const n = Number(frame.toString('latin1', 1, lineEnd));
  const parts: Buffer[] = [];
  let at = lineEnd + 2;
  for (let i = 0; i < n; i++) {
    if (frame[at] !== 0x24) return null;
    lineEnd = frame.indexOf('\r\n', at);
    const len = Number(frame.toString('latin1', at + 1, lineEnd));
    if (len < 0) return null;
    parts.push(frame.subarray(lineEnd + 2, lineEnd + 2 + len));
    at = lineEnd + 2 + len + 2;
  }
  return parts;
}

function isUpdateDelivery(frame: Buffer): boolean {
  const parts = bulkStrings(frame);
  if (!parts || parts.length !== 3 || parts[0]!.toString('latin1') !== 'message') return false;
  const envelope = parts[2]!;
  // Version 1, kind 1 (update) or 2 (update with seq): see redis-codec.ts.
  return envelope[0] === 1 && (envelope[1] === 1 || envelope[1] === 2);
}

export class BusLink {
  /** While true, update deliveries to this instance vanish. */
  dropping = false;
  /** Update deliveries cut out so far. */
  dropped = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(redisPort: number): Promise<BusLink> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const link = new BusLink(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => link.accept(client, redisPort));
    return link;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, redisPort: number): void {
    const upstream = net.connect(redisPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    let pending: Buffer = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      let at = 0;
      for (;;) {
        let end: number;
        try {
          end = frameEnd(pending, at);
        } catch {
          // Not RESP2 after all: stop filtering this connection rather than corrupt it.
          out.push(pending.subarray(at));
          at = pending.length;
          break;
        }
        if (end === -1) break;
        const frame = pending.subarray(at, end);
        if (this.dropping && isUpdateDelivery(frame)) this.dropped++;
        else out.push(frame);
        at = end;
      }
      pending = pending.subarray(at);
      if (out.length > 0) client.write(Buffer.concat(out));
    });
  }
}
