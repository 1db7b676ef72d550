/**
 * The API's route table: everything under `/api/`. Other modules add theirs with
 * `router.add(...)` (see router.ts), e.g. the version history routes.
 */
import { accessProbeRoute } from './access-probe.js';
import type { ApiDeps } from './api-call.js';
import { collectionRoutes } from './docs-collection.js';
import { deleteRoutes } from './doc-delete.js';
import { renameRoutes } from './doc-rename.js';
import { shareRoutes } from './doc-share.js';
import { textRoutes } from './doc-text.js';
import { updateRoutes } from './doc-update.js';
import { openApiRoute } from './openapi.js';
import { ApiRouter } from './router.js';

export function createApiRouter(deps: ApiDeps): ApiRouter {
  const router = new ApiRouter(deps);
  router.add(...collectionRoutes, ...textRoutes, ...updateRoutes, ...deleteRoutes);
  router.add(...renameRoutes, ...shareRoutes);
  router.add(accessProbeRoute, openApiRoute(router));
  return router;
}
