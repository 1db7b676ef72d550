/**
 * The History panel's client for the server's version routes (`/api/docs/<name>/versions…`).
 * The API lives on the same host as the WebSocket server: `ws(s)://host` becomes `http(s)://host`,
 * dropping any path prefix, as the access probe does. The editor's token goes in an
 * `Authorization: Bearer` header (never in the URL, so it stays out of access logs).
 */
import { docPath, toWebSocketUrl } from '../connection-url.js';

/** What the server calls why a version was saved; unknown kinds are shown as they are. */
export type VersionKind = 'auto' | 'leave' | 'restore' | 'api' | 'manual' | (string & {});

export interface VersionInfo {
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  kind: VersionKind;
  label?: string;
  /** Who changed the document since the previous version (token subject or display name). */
  authors?: string[];
}

/** A refused or failed call, with a sentence for the person and the HTTP status (0: no answer). */
export class HistoryApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HistoryApiError';
  }
}

/** `ws(s)://host[:port][/prefix]` (or `http(s)://…`) → `http(s)://host[:port]`. */
export function apiOrigin(serverUrl: string): string {
  const base = new URL(toWebSocketUrl(serverUrl));
  const scheme = base.protocol === 'wss:' || base.protocol === 'https:' ? 'https:' : 'http:';
  return `${scheme}//${base.host}`;
}

/** Every URL the panel calls, for one document. */
export function versionUrls(serverUrl: string, docName: string) {
  const doc = `${apiOrigin(serverUrl)}/api/docs/${docPath(docName)}`;
  const version = (id: string) => `${doc}/versions/${encodeURIComponent(id)}`;
  return {
    list: `${doc}/versions`,
    save: `${doc}/versions`,
    currentText: `${doc}/text`,
    versionText: (id: string) => `${version(id)}/text`,
    restore: (id: string) => `${version(id)}/restore`,
  };
}

/** The person-facing sentence for a refusal. */
export function describeFailure(status: number, detail: string): string {
  const why = detail ? ` (${detail})` : '';
  switch (status) {
    case 0:
      return 'The server could not be reached. Check the connection and try again.';
    case 401:
      return `The server did not accept your access token${why}.`;
    case 403:
      return `You do not have permission to do this${why}.`;
    case 404:
      return `Not found: the document or version no longer exists${why}.`;
    case 501:
      return 'This server keeps no version history (its storage has no version store).';
    case 429:
    case 503:
      return `The server is busy. Try again in a moment${why}.`;
    default:
      return `The server refused the request: HTTP ${status}${why}.`;
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Keeps only well-formed entries: the list is shown to people, so nothing odd gets through. */
export function parseVersions(body: unknown): VersionInfo[] {
  if (!Array.isArray(body)) throw new HistoryApiError('The server sent an unreadable list.', 200);
  const versions: VersionInfo[] = [];
  for (const raw of body as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as Record<string, unknown>;
    const id = typeof r.id === 'number' ? String(r.id) : asString(r.id);
    const createdAt =
      typeof r.createdAt === 'number' ? r.createdAt : Date.parse(String(r.createdAt));
    if (id === undefined || !Number.isFinite(createdAt)) continue;
    const version: VersionInfo = { id, createdAt, kind: asString(r.kind) ?? 'auto' };
    const label = asString(r.label);
    if (label !== undefined) version.label = label;
    if (Array.isArray(r.authors)) {
      const authors = (r.authors as unknown[])
        .map((a) =>
          typeof a === 'object' && a !== null
            ? asString((a as { name?: unknown }).name)
            : asString(a),
        )
        .filter((a): a is string => a !== undefined);
      if (authors.length > 0) version.authors = authors;
    }
    versions.push(version);
  }
  // Newest first, whatever order arrived.
  return versions.sort((a, b) => b.createdAt - a.createdAt);
}

export interface HistoryApi {
  list(): Promise<VersionInfo[]>;
  /** Saves the document's current state as a version now; resolves with its id. */
  save(label?: string): Promise<string>;
  versionText(id: string): Promise<string>;
  currentText(): Promise<string>;
  restore(id: string): Promise<void>;
}

export interface HistoryApiOptions {
  serverUrl: string;
  docName: string;
  token?: string;
  fetch?: typeof fetch;
}

export function createHistoryApi(options: HistoryApiOptions): HistoryApi {
  const urls = versionUrls(options.serverUrl, options.docName);
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    options.token ? { ...extra, Authorization: `Bearer ${options.token}` } : extra;

  async function call(url: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetchImpl(url, { cache: 'no-store', ...init });
    } catch {
      throw new HistoryApiError(describeFailure(0, ''), 0);
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    const detail = typeof body.error === 'string' ? body.error.slice(0, 200) : '';
    throw new HistoryApiError(describeFailure(res.status, detail), res.status);
  }

  return {
    async list() {
      try {
        const res = await call(urls.list, { headers: headers() });
        return parseVersions(await res.json());
      } catch (error) {
        // A document nobody has saved yet has no versions: not an error worth showing.
        if (error instanceof HistoryApiError && error.status === 404) return [];
        throw error;
      }
    },
    async save(label) {
      const res = await call(urls.save, {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(label ? { label } : {}),
      });
      const body = (await res.json().catch(() => ({}))) as { id?: unknown };
      return String(body.id ?? '');
    },
    async versionText(id) {
      return (await call(urls.versionText(id), { headers: headers() })).text();
    },
    async currentText() {
      return (await call(urls.currentText, { headers: headers() })).text();
    },
    async restore(id) {
      // An empty JSON body: a POST without a content type may be refused with 415.
      await call(urls.restore(id), {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json' }),
        body: '{}',
      });
    },
  };
}
