/**
 * /api/openapi.json against the routes actually served: every (method, path) the router serves
 * is described, and every described one is served — probed over HTTP, where a method the path
 * does not take answers 405 with the path's real methods in Allow.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { EDITOR_TEXT_NAME } from '../../src/documents/editor-text.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { api } from './api-client.js';

type Operations = Record<
  string,
  Record<
    string,
    { summary?: string; responses?: object; parameters?: { name: string; in: string }[] }
  >
>;

describe('OpenAPI description', () => {
  let running: RunningServer;
  let doc: { openapi: string; paths: Operations };
  beforeAll(async () => {
    running = await startServer({ storage: new MemoryStorage() });
    const res = await api(running.httpUrl, '/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.json;
  });
  afterAll(() => running.close());

  const described = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );

  it("is OpenAPI 3.1 and describes exactly the router's routes", () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = running.server.api.routes().map((r) => `${r.method} ${r.path}`);
    expect(described().sort()).toEqual(served.sort());
    // The contract paths (tools depend on them).
    for (const route of [
      'GET /api/docs',
      'POST /api/docs',
      'GET /api/docs/{name}/text',
      'PUT /api/docs/{name}/text',
      'GET /api/docs/{name}/update',
      'POST /api/docs/{name}/update',
      'DELETE /api/docs/{name}',
      'POST /api/docs/{name}/restore',
      'GET /api/openapi.json',
    ]) {
      expect(described()).toContain(route);
    }
  });

  it('gives every operation a summary, responses, and its path parameters', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual(params.sort());
      }
    }
  });

  it('matches what is served over HTTP, path by path', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const url = path.replace('{name}', 'probe%2Fdoc').replace(/\{\w+\}/g, '1');
      const res = await api(running.httpUrl, url, { method: 'PATCH' });
      expect(res.status, path).toBe(405);
      const allow = (res.headers.get('allow') ?? '').split(', ').sort();
      expect(allow, path).toEqual(
        Object.keys(ops)
          .map((m) => m.toUpperCase())
          .sort(),
      );
    }
  });

  it('names the same Y.Text as the editor', () => {
    const editor = readFileSync(new URL('../../../client/src/editor.ts', import.meta.url), 'utf8');
    expect(editor).toMatch(new RegExp(`export const TEXT_NAME = '${EDITOR_TEXT_NAME}'`));
    expect(JSON.stringify(doc)).toContain(`Y.Text named \\"${EDITOR_TEXT_NAME}\\"`);
  });
});
