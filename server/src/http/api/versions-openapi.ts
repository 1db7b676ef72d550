/** The OpenAPI operations of the `/versions` routes (versions.ts). */
import { VERSION_KINDS } from '../../history/version-store.js';
import { errorResponses, jsonBody } from './openapi-parts.js';
import type { OpenApiOperation } from './router.js';

const versionInfoSchema = {
  type: 'object',
  required: ['id', 'createdAt', 'kind', 'authors'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    createdAt: { type: 'integer', description: 'Milliseconds since the epoch.' },
    kind: {
      type: 'string',
      enum: VERSION_KINDS,
      description:
        'Why it was saved: auto (after a pause in editing), leave (the last person left), restore (just before a restore: what it replaced), api (just before an API write), manual (on request).',
    },
    label: { type: 'string', description: 'Named versions are kept until deleted.' },
    authors: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Who changed the document since the previous version: token subjects or display names.',
    },
  },
};

const ID_PARAMETER = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1 },
  description: 'A version id, as listed.',
};

const TEXT_NOTE =
  'Versions hold the whole Yjs document (every shared type); "text" is the editor\'s, the Y.Text named "codemirror".';

export const listVersionsOperation: OpenApiOperation = {
  summary: "The document's versions, newest first",
  description: `${TEXT_NOTE} Retention: every version for 24 hours, then the newest of each hour for 30 days, then the newest of each day; labelled versions are kept until deleted (server options versionsKeepAllMs, versionsKeepHourlyMs).`,
  parameters: [
    {
      name: 'limit',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 },
    },
    {
      name: 'before',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1 },
      description: 'Only versions older than this one (the next page after it).',
    },
  ],
  responses: {
    '200': jsonBody('Versions, newest first', { type: 'array', items: versionInfoSchema }),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const saveVersionOperation: OpenApiOperation = {
  summary: 'Save a version now',
  description:
    'Saves the current document as a version of kind "manual". With a label it saves even an unchanged document (labelled versions are kept until deleted), unless the newest version already is this state with this label; without one, an unchanged document saves nothing new. When nothing new is saved the answer is 200 with the newest version\'s id.',
  requestBody: {
    required: false,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: { label: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
  },
  responses: {
    '201': jsonBody('Saved', {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer' } },
    }),
    '200': jsonBody('Unchanged since the newest version, which is this one', {
      type: 'object',
      required: ['id', 'unchanged'],
      properties: { id: { type: 'integer' }, unchanged: { const: true } },
    }),
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
};

export const versionTextOperation: OpenApiOperation = {
  summary: "A version's text",
  description: TEXT_NOTE,
  parameters: [ID_PARAMETER],
  responses: {
    '200': { description: 'The text', content: { 'text/plain': { schema: { type: 'string' } } } },
    ...errorResponses(400, 401, 403, 404),
  },
};

export const versionDiffOperation: OpenApiOperation = {
  summary: 'The changes between two versions',
  description: `${TEXT_NOTE} A list of [op, text] pairs (a character diff, as fast-diff gives it): op -1 is text only in version {id}, 1 text only in \`against\`, 0 text in both. Applied in order, they turn {id}'s text into \`against\`'s.`,
  parameters: [
    ID_PARAMETER,
    {
      name: 'against',
      in: 'query',
      required: false,
      schema: {
        oneOf: [{ type: 'integer', minimum: 1 }, { const: 'current' }],
        default: 'current',
      },
      description: 'Another version id, or "current" for the live text.',
    },
  ],
  responses: {
    '200': jsonBody('The changes', {
      type: 'array',
      items: {
        type: 'array',
        prefixItems: [{ enum: [-1, 0, 1] }, { type: 'string' }],
        minItems: 2,
        maxItems: 2,
      },
    }),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const restoreVersionOperation: OpenApiOperation = {
  summary: 'Restore a version',
  description:
    'Saves the current document as a version first (kind "restore"), then makes the editor text (the Y.Text "codemirror") equal to the version\'s as a forward edit: a minimal character diff applied like any edit, stored before it is relayed. Nobody is disconnected; people typing keep their cursors, and an editor that was offline merges its own edits when it reconnects. Other shared types (maps, XML fragments, other texts) are not restored: they keep their current content.',
  parameters: [ID_PARAMETER],
  responses: {
    '200': jsonBody('Restored', {
      type: 'object',
      required: ['restored', 'savedBefore', 'changed'],
      properties: {
        restored: { type: 'integer' },
        savedBefore: {
          type: ['integer', 'null'],
          description: 'The version saved first: the state the restore replaced.',
        },
        changed: { type: 'boolean', description: "False when the text already was the version's." },
      },
    }),
    ...errorResponses(400, 401, 403, 404, 413),
  },
};
