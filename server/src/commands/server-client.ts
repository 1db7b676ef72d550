/**
 * The operations commands' side of the document API (http/api/): what `export` and `import`
 * do against a running server, with the token as `Authorization: Bearer`. Every refusal becomes
 * a CommandFailure that names the status, the server's reason and, where there is one, the fix.
 */
import { CommandFailure } from './command-line.js';
import { errorMessage } from '../log.js';

/** The API's page size for GET /api/docs (its maximum, http/api/docs-collection.ts). */
const LIST_PAGE_SIZE = 1_000;

/** Any valid name: the probe's answer is about the credentials. */
const ACCESS_PROBE_NAME = 'quire-export-access-check';

export type CreateResult = 'created' | 'exists';

export class ServerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** Every document the token may open, by name: that order, unlike "most recently changed",
   * does not move under a listing while people type, so paging never skips a document. */
  async *names(): AsyncGenerator<string> {
    // Under auth the listing quietly leaves out what the credentials may not open, so a missing
    // or expired token would list nothing and "export" nothing: ask the access probe first,
    // which answers 401 then (a 403 for this made-up name is an answer about the name only).
    await this.call('GET', `/api/access/${ACCESS_PROBE_NAME}`, 'list the documents', [403]);
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ sort: 'name', limit: String(LIST_PAGE_SIZE) });
      if (cursor !== null) query.set('cursor', cursor);
      const res = await this.call('GET', `/api/docs?${query}`, 'list the documents');
      const page = (await res.json()) as { docs: { name: string }[]; next: string | null };
      for (const doc of page.docs) yield doc.name;
      cursor = page.next;
    } while (cursor !== null);
  }

  /** The editor text, or null when there is no such document. */
  async readText(name: string): Promise<string | null> {
    const res = await this.call('GET', docPath(name, 'text'), `read "${name}"`, [404]);
    return res.status === 404 ? null : res.text();
  }

  /** The whole document as one Yjs update, or null when there is no such document. */
  async readUpdate(name: string): Promise<Uint8Array | null> {
    const res = await this.call('GET', docPath(name, 'update'), `read "${name}"`, [404]);
    return res.status === 404 ? null : new Uint8Array(await res.arrayBuffer());
  }

  /** POST /api/docs: creates the document with `text` exactly once. */
  async create(name: string, text: string): Promise<CreateResult> {
    const res = await this.call('POST', '/api/docs', `create "${name}"`, [409], {
      body: JSON.stringify({ name, text }),
      type: 'application/json',
    });
    return res.status === 409 ? 'exists' : 'created';
  }

  /** POST /api/docs/<name>/update. */
  async applyUpdate(name: string, update: Uint8Array): Promise<void> {
    await this.call('POST', docPath(name, 'update'), `write "${name}"`, [], {
      body: update,
      type: 'application/octet-stream',
    });
  }

  private async call(
    method: string,
    path: string,
    what: string,
    expected: number[] = [],
    send?: { body: string | Uint8Array; type: string },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (send) headers['content-type'] = send.type;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: send?.body });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw new CommandFailure(
        `cannot reach ${this.baseUrl} to ${what}: ${errorMessage(cause ?? error)}. ` +
          'Is the server running there?',
      );
    }
    if (res.ok || expected.includes(res.status)) return res;
    const reason = await res
      .json()
      .then((body: unknown) => String((body as { error?: unknown }).error ?? ''))
      .catch(() => '');
    throw new CommandFailure(
      `the server refused to ${what}: HTTP ${res.status}${reason ? ` ${reason}` : ''}${hint(res.status, this.token)}`,
    );
  }
}

function docPath(name: string, tail: string): string {
  return `/api/docs/${encodeURIComponent(name)}/${tail}`;
}

function hint(status: number, token: string | undefined): string {
  if (status === 401) {
    return token === undefined
      ? '. The server requires a token: pass --token or set QUIRE_TOKEN (make one with quire-server token).'
      : '. The token is not valid for this server (another secret, or expired).';
  }
  if (status === 403) {
    return ". The token does not grant this: export needs 'ro' or 'rw' for the name, import 'rw'.";
  }
  if (status === 404) return '. Is that the Quire server address?';
  return '';
}
