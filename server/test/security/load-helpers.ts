/** Shared helpers of the resource-exhaustion tests: many sockets at once, memory, fds. */
import { readdirSync } from 'node:fs';
import WebSocket from 'ws';

export const openFds = () => readdirSync('/proc/self/fd').length;

/** Opens `count` WebSockets concurrently; resolves with the open ones and the refusal statuses. */
export async function openMany(
  url: string,
  count: number,
  options: WebSocket.ClientOptions = {},
): Promise<{ open: WebSocket[]; refused: number[] }> {
  const results = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<WebSocket | number>((resolve) => {
          const ws = new WebSocket(url, options);
          ws.on('error', () => resolve(0));
          ws.once('open', () => resolve(ws));
          ws.once('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
        }),
    ),
  );
  return {
    open: results.filter((r): r is WebSocket => typeof r !== 'number'),
    refused: results.filter((r): r is number => typeof r === 'number'),
  };
}

export const closeAll = async (sockets: WebSocket[]) => {
  for (const ws of sockets) ws.terminate();
};
