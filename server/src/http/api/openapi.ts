/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 description generated from the router's own table,
 * so every served route is described and nothing described is missing (test/api/openapi.test.ts
 * checks both ways).
 */
import type { ApiCall } from './api-call.js';
import type { ApiRoute, ApiRouter } from './router.js';

const NAME_PARAMETER = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description:
    'Document name: 1–8 segments joined by "/", at most 128 characters. Encode it as one path segment (encodeURIComponent, "/" as %2F); raw slashes also work, routes are matched from the right.',
};

export function openApiDocument(routes: readonly ApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const declared = (route.openapi.parameters as { name: string; in: string }[] | undefined) ?? [];
    const pathParams = params
      .filter((p) => !declared.some((d) => d.in === 'path' && d.name === p))
      .map((p) =>
        p === 'name'
          ? NAME_PARAMETER
          : { name: p, in: 'path', required: true, schema: { type: 'string' } },
      );
    const operation: Record<string, unknown> = {
      ...route.openapi,
      parameters: [...pathParams, ...declared],
    };
    if (route.access !== 'none') {
      operation['x-quire-access'] = route.access === 'write' ? 'rw' : 'ro';
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Quire document API',
      version: '1',
      description:
        'Read and write Quire documents from code. "text" is the editor\'s text: the Y.Text named "codemirror" (client TEXT_NAME). With --secret, every call needs `Authorization: Bearer <token>`: a ro token to read, rw to write, for the document (or a prefix/* pattern) it names; answers are 401 and 403 as at the WebSocket upgrade.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
}

export function openApiRoute(router: ApiRouter): ApiRoute {
  return {
    method: 'GET',
    path: '/api/openapi.json',
    access: 'none',
    openapi: {
      summary: 'This description',
      security: [{}],
      responses: {
        '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } },
      },
    },
    handle: (call: ApiCall) => call.json(200, openApiDocument(router.routes())),
  };
}
