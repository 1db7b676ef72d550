/**
 * Webhook receivers as configured (`webhookUrls`): each gets a stable key, stored in its outbox
 * rows, and a label for metrics and logs. Neither ever holds the URL itself, which may carry
 * credentials (`https://user:pass@host/…`) or a token in its query.
 */
import { createHash } from 'node:crypto';

export interface WebhookReceiver {
  url: URL;
  /** Stable across restarts and instances while the URL stays the same: rows queued for it
   * before a restart are still its rows after. */
  key: string;
  /** Its position in the configuration, from 0 (metrics label `receiver`). */
  index: number;
  /** `scheme://host[:port]`, for logs and the dead-letter listing. */
  origin: string;
}

/** Why `text` is not a usable receiver URL, or null when it is. */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${redact(text)}" is not a URL; use e.g. https://hooks.example.com/quire`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${redact(text)}" must be an http:// or https:// URL`;
  }
  return null;
}

export function receiversFrom(urls: readonly string[]): WebhookReceiver[] {
  return urls.map((text, index) => {
    const url = new URL(text);
    return {
      url,
      key: createHash('sha256').update(url.href).digest('hex').slice(0, 16),
      index,
      origin: url.origin,
    };
  });
}

/** A URL as it may appear in an error message: without user info, path or query. */
function redact(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/]*@)?([^/?#]*)/i.exec(text);
  return match ? `${match[1]}${match[2]}/…` : text.slice(0, 40);
}
