/** The OpenAPI operations of the dead-letter routes (webhook-routes.ts). */
import { errorResponses, jsonBody } from '../http/api/openapi-parts.js';
import type { OpenApiOperation } from '../http/api/router.js';
import { WEBHOOK_EVENTS } from './outbox.js';

const OPERATOR_NOTE =
  "Operators only: with a secret, a token granting rw for every document (quire-server token --doc '*' --mode rw); with an authorize hook, whoever the webhookOperator option accepts; in open mode, anyone. 501 when no webhook receiver is configured.";

const deadLetterSchema = {
  type: 'object',
  required: ['id', 'eventId', 'event', 'doc', 'receiver', 'createdAt', 'deadAt', 'attempts'],
  properties: {
    id: { type: 'integer', minimum: 1, description: 'The dead letter (use it to replay).' },
    eventId: { type: 'string', description: 'The event body\'s "id".' },
    event: { type: 'string', enum: WEBHOOK_EVENTS },
    doc: { type: 'string' },
    receiver: {
      type: ['string', 'null'],
      description: 'scheme://host[:port] of the receiver; null when it is no longer configured.',
    },
    createdAt: { type: 'integer', description: 'Milliseconds since the epoch.' },
    deadAt: { type: 'integer', description: 'When its retries ran out.' },
    attempts: { type: 'integer', minimum: 0 },
    lastError: { type: ['string', 'null'], description: 'Why the last attempt failed.' },
  },
};

export const deadLettersOperation: OpenApiOperation = {
  summary: 'Webhook deliveries whose retries ran out, oldest first',
  description: `Dead letters are kept for webhookDeadLetterRetentionMs (default 7 days). ${OPERATOR_NOTE}`,
  parameters: [
    {
      name: 'limit',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 500, default: 500 },
    },
    {
      name: 'after',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1 },
      description: 'Only dead letters after this id (the "next" of the previous page).',
    },
  ],
  responses: {
    '200': jsonBody('Dead letters', {
      type: 'object',
      required: ['deadLetters'],
      properties: {
        deadLetters: { type: 'array', items: deadLetterSchema },
        next: { type: 'integer', description: 'Present when there may be more: pass as after.' },
      },
    }),
    ...errorResponses(400, 401, 403, 501),
  },
};

export const replayOperation: OpenApiOperation = {
  summary: 'Send a dead letter again',
  description: `The delivery is pending again, due now, with a fresh retry window; the body keeps its event id and "at". ${OPERATOR_NOTE}`,
  parameters: [
    {
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1 },
      description: 'A dead letter id, as listed.',
    },
  ],
  responses: {
    '202': jsonBody('Queued again', {
      type: 'object',
      required: ['id', 'replayed'],
      properties: { id: { type: 'integer' }, replayed: { const: true } },
    }),
    ...errorResponses(400, 401, 403, 404, 409, 501),
  },
};
