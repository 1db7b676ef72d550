/**
 * The `/api/...` router: a flat table of routes, each a method and a path template, matched
 * against the raw request path. One table, so the OpenAPI description (openapi.ts) and its test
 * can enumerate exactly what is served.
 *
 * Templates: `/api/docs/{name}/text`, `/api/docs/{name}/versions/{id}/diff`. `{name}` is a
 * document name, which may itself contain `/` (`team-a/plan`): it takes every segment between
 * the template's fixed start and its fixed end, so a route is matched from the right. Clients
 * should encode the name as one segment (`encodeURIComponent`, slashes as `%2F`), which is
 * unambiguous even for a name ending in `text` or `versions`; raw slashes work too. Any other
 * `{param}` is exactly one segment, percent-decoded. When several routes match a path, the one
 * with the most fixed segments after `{name}` wins (`/api/docs/a/versions` lists a's versions
 * rather than naming a document `a/versions`); a path that matches only with another method is
 * a 405 with `Allow`. OPTIONS answers a CORS preflight for the path's methods (204; the origin is
 * echoed only when it is in allowOrigins, or when that list is empty).
 *
 * Access is decided before a handler runs, for the document the path names (api-access.ts):
 * `read` routes need a `ro` or `rw` grant, `write` routes `rw`; `none` routes decide for
 * themselves (POST /api/docs, whose name is in the body).
 *
 * Plugging in routes from another module (the `/versions` routes): export a function that
 * returns `ApiRoute[]` (paths under `/api/docs/{name}/versions...`) and add them in server.ts
 * with `router.add(...routes)`; each route carries its OpenAPI operation, so the description
 * follows automatically.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../log.js';
import { DocumentGoneError } from '../../room/room-registry.js';
import { authorizeDocument } from './api-access.js';
import { ApiCall, type ApiDeps } from './api-call.js';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type ApiRouteAccess = 'read' | 'write' | 'none';

/** An OpenAPI 3.1 operation object (summary, parameters, requestBody, responses…). */
export type OpenApiOperation = Record<string, unknown>;

export interface ApiRoute {
  method: ApiMethod;
  /** Path template, e.g. `/api/docs/{name}/text` (see the note above). */
  path: string;
  access: ApiRouteAccess;
  /** This route's OpenAPI operation; `{name}` and other path parameters are added for it. */
  openapi: OpenApiOperation;
  handle(call: ApiCall): Promise<void> | void;
}

interface CompiledRoute {
  route: ApiRoute;
  /** Fixed segments before `{name}` (or the whole template when it has no `{name}`). */
  head: string[];
  /** Segments after `{name}`; null when the template has no `{name}`. */
  tail: string[] | null;
}

interface Match {
  route: ApiRoute;
  params: Record<string, string>;
  /** The raw (still percent-encoded) segments naming the document. */
  rawName: string | null;
}

export class ApiRouter {
  private readonly compiled: CompiledRoute[] = [];

  constructor(private readonly deps: ApiDeps) {}

  /** Adds routes; a second route with the same method and path is a programming error. */
  add(...routes: ApiRoute[]): this {
    for (const route of routes) {
      if (
        this.compiled.some((c) => c.route.method === route.method && c.route.path === route.path)
      ) {
        throw new Error(`duplicate API route ${route.method} ${route.path}`);
      }
      const segments = route.path.split('/').slice(1);
      const at = segments.indexOf('{name}');
      this.compiled.push(
        at < 0
          ? { route, head: segments, tail: null }
          : { route, head: segments.slice(0, at), tail: segments.slice(at + 1) },
      );
    }
    return this;
  }

  /** Every route, in the order added (for the OpenAPI description and its test). */
  routes(): ApiRoute[] {
    return this.compiled.map((c) => c.route);
  }

  /** Handles `req` when its path is one of ours (true), else leaves it (false). */
  async handle(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<boolean> {
    const matches = this.match(rawPath);
    if (matches.length === 0) return false;
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const call = new ApiCall(this.deps, req, res, {});
    const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
    if (method === 'OPTIONS') {
      // A CORS preflight (a page on another allowed origin sending a Bearer token or a body).
      res.writeHead(204, {
        ...call.cors(),
        Allow: allow,
        'Access-Control-Allow-Methods': allow,
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return true;
    }
    const found = matches.find((m) => m.route.method === method);
    if (!found) {
      call.refuse(405, 'method not allowed', { method, path: rawPath }, { Allow: allow });
      return true;
    }
    call.params = found.params;
    call.rawName = found.rawName;
    try {
      if (found.rawName !== null && found.route.access !== 'none') {
        const decision = await authorizeDocument(this.deps, req, found.rawName, found.route.access);
        if (!decision.ok) {
          call.refuse(decision.status, decision.message, { path: rawPath, ...decision.fields });
          return true;
        }
        call.docName = decision.docName;
        call.access = decision.access;
      }
      await found.route.handle(call);
    } catch (error) {
      // Deleted between the handler's existence check and its load of the room.
      if (error instanceof DocumentGoneError) {
        call.refuse(404, 'no such document');
        return true;
      }
      this.deps.log.error('api request failed', {
        method,
        route: found.route.path,
        doc: call.docName ?? undefined,
        error: errorMessage(error),
      });
      call.failed();
    }
    return true;
  }

  /** Every route whose path matches, best (most specific) first. */
  private match(rawPath: string): Match[] {
    const segments = rawPath.split('/').slice(1);
    const found: { match: Match; rank: number }[] = [];
    for (const c of this.compiled) {
      const params: Record<string, string> = {};
      if (c.tail === null) {
        if (segmentsMatch(c.head, segments, params)) {
          found.push({ match: { route: c.route, params, rawName: null }, rank: c.head.length });
        }
        continue;
      }
      const nameLength = segments.length - c.head.length - c.tail.length;
      if (nameLength < 1) continue;
      if (!segmentsMatch(c.head, segments.slice(0, c.head.length), params)) continue;
      if (!segmentsMatch(c.tail, segments.slice(segments.length - c.tail.length), params)) continue;
      const rawName = segments.slice(c.head.length, c.head.length + nameLength).join('/');
      found.push({ match: { route: c.route, params, rawName }, rank: c.tail.length });
    }
    found.sort((a, b) => b.rank - a.rank);
    // Only the best-ranked template decides: a shorter one matching too would name another
    // document (`a/versions`), which is not what the caller addressed.
    const best = found[0]?.rank;
    return found.filter((f) => f.rank === best).map((f) => f.match);
  }
}

/** Fixed segments must be equal, `{param}` segments take one non-empty decoded segment. */
function segmentsMatch(
  template: string[],
  segments: string[],
  params: Record<string, string>,
): boolean {
  if (template.length !== segments.length) return false;
  for (let i = 0; i < template.length; i++) {
    const want = template[i]!;
    const got = segments[i]!;
    if (want.startsWith('{') && want.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(got);
      } catch {
        return false;
      }
      if (value === '') return false;
      params[want.slice(1, -1)] = value;
    } else if (want !== got) {
      return false;
    }
  }
  return true;
}
