/**
 * Browsers hide why a WebSocket upgrade was refused: a 401 or 403 looks exactly like a server
 * that is down (close code 1006). When a connection fails before it ever opened, the editor asks
 * the server's `/api/access/<doc>` probe, which runs the same checks as the upgrade, so it can
 * say "no access" and stop retrying instead of showing "offline" forever.
 */
import { CloseCode } from '@quire/shared';
import { docPath, toWebSocketUrl } from './connection-url.js';

/** The probe's address for a `ws(s)://host[:port][/prefix]` server URL. */
export function accessProbeUrl(serverUrl: string, docName: string, token?: string): string {
  const base = new URL(toWebSocketUrl(serverUrl));
  const scheme = base.protocol === 'wss:' ? 'https:' : 'http:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${base.host}/api/access/${docPath(docName)}${query}`;
}

/** The close code a refused probe stands for, or null when retrying may still succeed. */
export function closeCodeForRefusal(status: number): number | null {
  if (status === 401) return CloseCode.Unauthenticated;
  if (status === 403) return CloseCode.Forbidden;
  if (status === 400) return CloseCode.BadMessage;
  return null;
}

export interface Refusal {
  code: number;
  reason: string;
}

/** Asks the probe; resolves null when access is fine or the server cannot be reached. */
export async function probeRefusal(
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Refusal | null> {
  try {
    const res = await fetchImpl(url, { cache: 'no-store' });
    const code = closeCodeForRefusal(res.status);
    if (code === null) return null;
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    return { code, reason: typeof body.error === 'string' ? body.error.slice(0, 200) : '' };
  } catch {
    return null;
  }
}
