/**
 * One interval for all connections (not a timer each): every tick, a connection that has not
 * answered the previous ping (or sent anything) is terminated, and the others are pinged.
 */
import type { Connection } from './connection.js';

export function startHeartbeat(connections: Iterable<Connection>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of connections) {
      if (!connection.isAlive) connection.terminate();
      else connection.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
