/** Pieces shared by the routes' OpenAPI operations (openapi.ts assembles the document). */
import { STATUS_CODES } from 'node:http';

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string', description: 'Why, in plain words.' } },
};

export const docInfoSchema = {
  type: 'object',
  required: ['name', 'updatedAt', 'size'],
  properties: {
    name: { type: 'string' },
    updatedAt: { type: 'integer', description: 'Milliseconds since the epoch of the last change.' },
    size: { type: 'integer', description: 'Bytes stored for the document.' },
    title: {
      type: ['string', 'null'],
      description:
        'Its first Markdown heading, else its first non-empty line (at most 120 characters); null when it has no text or was not changed since titles were kept.',
    },
    deletedAt: {
      type: 'integer',
      description: 'With `deleted=1`: milliseconds since the epoch of the delete.',
    },
  },
};

const WHY: Record<number, string> = {
  400: 'Invalid document name, malformed update, bad JSON or bad parameter; nothing changed.',
  401: 'Auth is on and no valid token was given.',
  403: 'The grant is for another document, is read-only for a write, or the Origin is not allowed.',
  404: 'No such document (never stored, or deleted).',
  409: 'The name exists.',
  410: 'Gone.',
  413: 'The body (or the document it would make) is over a size limit; nothing changed.',
  415: 'Wrong Content-Type.',
  422: 'The text is not valid UTF-8; nothing changed.',
  429: 'Over the new-documents-per-minute quota; nothing changed. Retry-After gives the seconds to wait.',
};

export function errorResponses(...statuses: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const status of statuses) {
    out[String(status)] = {
      description: WHY[status] ?? STATUS_CODES[status] ?? 'Error',
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  return out;
}

export function jsonBody(description: string, schema: unknown): Record<string, unknown> {
  return { description, content: { 'application/json': { schema } } };
}
