/**
 * The demo's calls to the document API (server: /api/docs…). A page opened with `?token=…`
 * sends that token as `Authorization: Bearer`, so the list, rename, delete and share act with
 * the same grant the editor has; without one (open mode) no header is sent.
 */

export interface DocSummary {
  name: string;
  updatedAt: number;
  size: number;
  title: string | null;
  /** Only in the "Recently deleted" listing. */
  deletedAt?: number;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
  /** The server's `error` text, or the HTTP status when it gave none. */
  error: string;
}

/** The access token this page was opened with, if any. */
export function pageToken(): string | undefined {
  return new URLSearchParams(location.search).get('token') ?? undefined;
}

export const docApiPath = (name: string, rest = '') =>
  `/api/docs/${encodeURIComponent(name)}${rest}`;

export async function apiCall<T = unknown>(
  path: string,
  options: { method?: string; json?: unknown } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = pageToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const serverError = (body as { error?: unknown } | null)?.error;
  return {
    status: response.status,
    ok: response.ok,
    body: body as T,
    error: typeof serverError === 'string' ? serverError : `HTTP ${response.status}`,
  };
}
