/**
 * `GET /api/access/<name>`: the upgrade's access decision as an HTTP answer. Browsers hide the
 * HTTP status of a refused WebSocket upgrade (they only report close code 1006), so the editor
 * asks here to tell "no access" from "server down".
 */
import { decideAccess } from '../../access/access-check.js';
import type { ApiCall } from './api-call.js';
import { errorResponses, jsonBody } from './openapi-parts.js';
import type { ApiRoute } from './router.js';

async function probeAccess(call: ApiCall): Promise<void> {
  const { options, log } = call.deps;
  const decision = await decideAccess(options, log, call.req, `/${call.rawName ?? ''}`, '');
  // Not logged as a refusal: answering "no access" is what this route is for.
  if (!decision.ok) return call.json(decision.status, { error: decision.message });
  call.json(200, { doc: decision.docName, mode: decision.access.mode });
}

export const accessProbeRoute: ApiRoute = {
  method: 'GET',
  path: '/api/access/{name}',
  access: 'none',
  openapi: {
    summary: 'The access a WebSocket upgrade for this document would get',
    description:
      'The same decision as the upgrade (name, Origin allow-list, token or authorize hook), as an HTTP answer browsers can read.',
    responses: {
      '200': jsonBody('The upgrade would be accepted', {
        type: 'object',
        required: ['doc', 'mode'],
        properties: { doc: { type: 'string' }, mode: { enum: ['rw', 'ro'] } },
      }),
      ...errorResponses(400, 401, 403),
    },
  },
  handle: probeAccess,
};
