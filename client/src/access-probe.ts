/**
 * Browsers hide why a WebSocket upgrade was refused: a 401, 403 or 410 looks exactly like a
 * server that is down (close code 1006). When a connection fails before it ever opened, the
 * editor asks the server's `/api/access/<doc>` probe, which runs the same checks as the upgrade,
 * so it can say "no access" (or "deleted") and stop retrying instead of showing "offline"
 * forever. Which statuses stop the editor is decided in stop-policy.ts.
 */
import { docPath, toWebSocketUrl } from './connection-url.js';
import { stopReasonForHttpStatus, type StopReason } from './stop-policy.js';

/** The probe's address for a `ws(s)://host[:port][/prefix]` server URL. */
export function accessProbeUrl(serverUrl: string, docName: string, token?: string): string {
  const base = new URL(toWebSocketUrl(serverUrl));
  const scheme = base.protocol === 'wss:' ? 'https:' : 'http:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${base.host}/api/access/${docPath(docName)}${query}`;
}

export interface Refusal {
  /** Why the editor must stop. */
  reason: StopReason;
  /** The server's explanation, when it gave one (at most 200 characters). */
  detail: string;
}

/** Asks the probe; resolves null when access is fine or the server cannot be reached. */
export async function probeRefusal(
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Refusal | null> {
  try {
    const res = await fetchImpl(url, { cache: 'no-store' });
    // Anything else (200, 429, 5xx, …) may pass: keep retrying.
    const reason = stopReasonForHttpStatus(res.status);
    if (reason === null) return null;
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    return { reason, detail: typeof body.error === 'string' ? body.error.slice(0, 200) : '' };
  } catch {
    return null;
  }
}
