/**
 * `/api/docs/<name>/versions…`: version history (history/document-history.ts).
 * - GET `/versions?limit=&before=`: JSON, newest first `[{ id, createdAt, kind, label?, authors }]`.
 * - POST `/versions` with optional JSON `{ label? }`: 201 `{ id }`; 200 `{ id, unchanged: true }`
 *   when nothing new was saved (unchanged, and no label or the newest version's label).
 * - GET `/versions/<id>/text`: that version's editor text.
 * - GET `/versions/<id>/diff?against=<id|current>`: fast-diff ops from `<id>`'s text to the other.
 * - POST `/versions/<id>/restore`: saves a version, then makes the text equal to `<id>`'s;
 *   webhooks get `version.restored` (prepared before the restore starts, like every event of
 *   a write: webhooks/event-recorder.ts).
 * Reads need a `ro` grant, saves and restores `rw` (the router decides). 400 for a malformed id,
 * `against`, paging parameter or label; 404 for an unknown (or deleted) document or version.
 */
import type { DocumentHistory, HistoryResult } from '../../history/document-history.js';
import type { VersionEvents } from '../../webhooks/webhooks.js';
import type { ApiCall } from './api-call.js';
import { readJsonBody } from './body.js';
import type { ApiRoute } from './router.js';
import {
  listVersionsOperation,
  restoreVersionOperation,
  saveVersionOperation,
  versionDiffOperation,
  versionTextOperation,
} from './versions-openapi.js';

/** Most versions one listing returns (and its default). */
export const MAX_LISTED_VERSIONS = 1_000;
/** Longest label, in UTF-16 units. */
export const MAX_LABEL_LENGTH = 200;
/** A label body is tiny; this bounds what is read of one. */
const MAX_SAVE_BODY_BYTES = 4_096;

/** A positive integer id as written in a path or query, or null. */
export function parseVersionId(text: string | null): number | null {
  if (text === null || !/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

function answered<T>(call: ApiCall, result: HistoryResult<T>): result is { ok: true; value: T } {
  if (!result.ok) call.refuse(result.status, result.reason);
  return result.ok;
}

/** The `{id}` path parameter, or a 400 (answered) and null. */
function pathId(call: ApiCall): number | null {
  const id = parseVersionId(call.params.id ?? null);
  if (id === null) call.refuse(400, 'the version id must be a positive integer');
  return id;
}

async function list(history: DocumentHistory, call: ApiCall): Promise<void> {
  const query = call.url.searchParams;
  const limitText = query.get('limit');
  const limit = limitText === null ? MAX_LISTED_VERSIONS : parseVersionId(limitText);
  if (limit === null || limit > MAX_LISTED_VERSIONS) {
    return call.refuse(400, `limit must be an integer from 1 to ${MAX_LISTED_VERSIONS}`);
  }
  const beforeText = query.get('before');
  const before = beforeText === null ? undefined : parseVersionId(beforeText);
  if (before === null) return call.refuse(400, 'before must be a version id');
  const result = await history.list(call.doc, {
    limit,
    ...(before === undefined ? {} : { before }),
  });
  if (answered(call, result)) call.json(200, result.value);
}

/** The optional label of a save: undefined for none, null after a refusal (answered). */
async function readLabel(call: ApiCall): Promise<string | undefined | null> {
  const { headers } = call.req;
  const hasBody =
    headers['content-type'] !== undefined ||
    headers['transfer-encoding'] !== undefined ||
    Number(headers['content-length'] ?? 0) > 0;
  if (!hasBody) return undefined;
  const body = await readJsonBody(call, MAX_SAVE_BODY_BYTES);
  if (body === undefined) return null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    call.refuse(400, 'the body must be a JSON object like {"label": "…"}');
    return null;
  }
  const label = (body as { label?: unknown }).label;
  if (label === undefined) return undefined;
  if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_LABEL_LENGTH) {
    call.refuse(400, `label must be a non-empty string of at most ${MAX_LABEL_LENGTH} characters`);
    return null;
  }
  // Control characters would break the one-line display of every client listing versions.
  if ([...label].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    call.refuse(400, 'label must not contain control characters (line breaks, tabs…)');
    return null;
  }
  return label;
}

async function save(history: DocumentHistory, call: ApiCall): Promise<void> {
  const label = await readLabel(call);
  if (label === null) return;
  const result = await history.save(call.doc, label, call.actor);
  if (!answered(call, result)) return;
  const { id, created } = result.value;
  if (created) call.json(201, { id });
  else call.json(200, { id, unchanged: true });
}

async function text(history: DocumentHistory, call: ApiCall): Promise<void> {
  const id = pathId(call);
  if (id === null) return;
  const result = await history.text(call.doc, id);
  if (answered(call, result)) call.text(200, result.value);
}

async function compare(history: DocumentHistory, call: ApiCall): Promise<void> {
  const id = pathId(call);
  if (id === null) return;
  const againstText = call.url.searchParams.get('against') ?? 'current';
  const against = againstText === 'current' ? 'current' : parseVersionId(againstText);
  if (against === null) return call.refuse(400, 'against must be a version id or "current"');
  const result = await history.diff(call.doc, id, against);
  if (answered(call, result)) call.json(200, result.value);
}

const restoreWith =
  (events: VersionEvents | null) =>
  async (history: DocumentHistory, call: ApiCall): Promise<void> => {
    const id = pathId(call);
    if (id === null) return;
    const event = events?.versionRestoring(call.doc, id, call.actor);
    const result = await history.restore(call.doc, id, call.actor).catch((error: unknown) => {
      event?.cancel();
      throw error;
    });
    if (!result.ok) event?.cancel();
    if (!answered(call, result)) return;
    const { savedBefore, changed } = result.value;
    event?.confirm({ savedBefore, changed });
    logRestore(call, id, savedBefore, changed);
    call.json(200, result.value);
  };

function logRestore(call: ApiCall, id: number, savedBefore: number | null, changed: boolean): void {
  call.deps.log.info('version restored', {
    doc: call.doc,
    id,
    actor: call.actor,
    savedBefore: savedBefore ?? undefined,
    changed,
  });
}

type Handler = (history: DocumentHistory, call: ApiCall) => Promise<void>;

/** The routes, bound to one server's history (server.ts adds them to the API router). With
 * null (a storage adapter that keeps no versions) every one answers 501. `events`: webhooks,
 * told of restores; default none. */
export function versionRoutes(
  history: DocumentHistory | null,
  events: VersionEvents | null = null,
): ApiRoute[] {
  const use =
    (handler: Handler) =>
    (call: ApiCall): Promise<void> | void =>
      history
        ? handler(history, call)
        : call.refuse(501, 'this storage adapter keeps no versions (no StorageAdapter.versions)');
  return [
    {
      method: 'GET',
      path: '/api/docs/{name}/versions',
      access: 'read',
      openapi: listVersionsOperation,
      handle: use(list),
    },
    {
      method: 'POST',
      path: '/api/docs/{name}/versions',
      access: 'write',
      openapi: saveVersionOperation,
      handle: use(save),
    },
    {
      method: 'GET',
      path: '/api/docs/{name}/versions/{id}/text',
      access: 'read',
      openapi: versionTextOperation,
      handle: use(text),
    },
    {
      method: 'GET',
      path: '/api/docs/{name}/versions/{id}/diff',
      access: 'read',
      openapi: versionDiffOperation,
      handle: use(compare),
    },
    {
      method: 'POST',
      path: '/api/docs/{name}/versions/{id}/restore',
      access: 'write',
      openapi: restoreVersionOperation,
      handle: use(restoreWith(events)),
    },
  ];
}
