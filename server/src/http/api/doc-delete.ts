/**
 * Deleting and restoring a document.
 * - `DELETE /api/docs/<name>`: leaves a tombstone. The API then answers 404 for the name,
 *   WebSocket upgrades answer 410, open sessions are closed with 4410, and the room is dropped
 *   without being written back, so a stock client with a local copy cannot bring it back.
 *   204, or 404.
 * - `POST /api/docs/<name>/restore`: within the retention period (deletedRetentionMs), lifts
 *   the tombstone; the document is back exactly as it was deleted. 204, or 404 (not deleted,
 *   or purged / past the period).
 */
import type { ApiCall } from './api-call.js';
import { errorResponses } from './openapi-parts.js';
import type { ApiRoute } from './router.js';
import { refuseUnsupported } from './write-result.js';

async function deleteDocument(call: ApiCall): Promise<void> {
  const result = await call.deps.documents.delete(call.doc, call.actor);
  if (result === 'unsupported') return refuseUnsupported(call);
  if (result === 'not-found') return call.refuse(404, 'no such document');
  call.empty(204);
}

async function restoreDocument(call: ApiCall): Promise<void> {
  const result = await call.deps.documents.restoreDeleted(call.doc, call.actor);
  if (result === 'unsupported') return refuseUnsupported(call);
  if (result === 'not-found') {
    return call.refuse(404, 'no deleted document of this name can be restored');
  }
  call.empty(204);
}

export const deleteRoutes: ApiRoute[] = [
  {
    method: 'DELETE',
    path: '/api/docs/{name}',
    access: 'write',
    openapi: {
      summary: 'Delete a document (restorable during the retention period)',
      description:
        'Leaves a tombstone: the API answers 404 for the name, WebSocket upgrades answer 410 Gone, open sessions are closed with code 4410, and the loaded copy is dropped without being written back, so a client holding a local copy cannot bring the document back. The content stays restorable for deletedRetentionMs (default 30 days) and is purged after it.',
      responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404) },
    },
    handle: deleteDocument,
  },
  {
    method: 'POST',
    path: '/api/docs/{name}/restore',
    access: 'write',
    openapi: {
      summary: 'Restore a deleted document',
      description:
        'Within the retention period after a DELETE, brings the document back exactly as it was deleted; editors can connect again.',
      responses: {
        '204': { description: 'Restored' },
        ...errorResponses(400, 401, 403),
        '404': {
          description:
            'The name is not deleted, or was deleted longer ago than the retention period.',
          content: { 'application/json': {} },
        },
      },
    },
    handle: restoreDocument,
  },
];
