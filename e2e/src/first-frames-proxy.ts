/**
 * A TCP proxy on 127.0.0.1 in front of the server that makes every WebSocket look like one to a
 * server whose document takes a while to load: the upgrade's 101 answer passes at once (the
 * socket opens), but the frames after it (the server's first sync step, presence, acks) arrive
 * `holdMs` later. Whatever the person types in between goes out before our sync answer, built on
 * edits the server has not seen yet: the reconnect race that used to lock people out, made
 * certain on every reconnect instead of depending on a few milliseconds of luck.
 *
 * Everything else is passed through untouched, in order. While the server is down the proxy
 * drops each new connection at once, so the browser sees an attempt that never opened, exactly
 * as without the proxy.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FirstFramesProxy {
  /** `http://127.0.0.1:<port>`: load pages from here to go through the proxy. */
  url: string;
  close(): Promise<void>;
}

const HEADERS_END = Buffer.from('\r\n\r\n');

/** Relays server → browser bytes, holding everything after a 101 answer for `holdMs`. */
function holdAfterUpgrade(upstream: Socket, client: Socket, holdMs: number): void {
  let head: Buffer | null = Buffer.alloc(0);
  let releaseAt = 0;
  const queue: Buffer[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    for (const chunk of queue.splice(0)) client.write(chunk);
  };
  const send = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    queue.push(chunk);
    if (timer !== undefined) return;
    const wait = releaseAt - Date.now();
    if (wait > 0) timer = setTimeout(flush, wait);
    else flush();
  };
  upstream.on('data', (chunk: Buffer) => {
    if (head === null) return send(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(HEADERS_END);
    if (end < 0) return;
    const headers = head.subarray(0, end + HEADERS_END.length);
    const rest = head.subarray(end + HEADERS_END.length);
    head = null;
    client.write(headers);
    if (headers.toString('latin1').startsWith('HTTP/1.1 101')) releaseAt = Date.now() + holdMs;
    send(rest);
  });
  upstream.on('end', () => {
    clearTimeout(timer);
    flush();
    client.end();
  });
  client.on('close', () => clearTimeout(timer));
}

export async function startFirstFramesProxy(
  targetPort: () => number,
  holdMs: number,
): Promise<FirstFramesProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either side just ends the pair (a killed server resets its sockets).
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    client.pause();
    const upstream = connect(targetPort(), '127.0.0.1');
    track(upstream);
    upstream.once('connect', () => {
      client.pipe(upstream);
      client.resume();
      holdAfterUpgrade(upstream, client, holdMs);
    });
    // A graceful end was relayed by 'end' (held bytes included); only an abort is cut short.
    upstream.on('close', (hadError) => {
      if (hadError) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
