/**
 * `/api/webhooks/dead-letters…`: the deliveries whose retries ran out, for an operator.
 * - GET `/api/webhooks/dead-letters?limit=&after=`: oldest first, `{ deadLetters: [...], next? }`.
 * - POST `/api/webhooks/dead-letters/{id}/replay`: sends it again (a fresh retry window); 202.
 *
 * Only an operator may use them (`isOperator`): with `secret`, a token whose grant is `rw` for
 * every document (`quire-server token --doc '*' --mode rw`); with an `authorize` hook, whoever
 * the `webhookOperator` option accepts (nobody without it); in open mode, anyone — like every
 * other route there. 501 when no webhook receiver is configured.
 */
import type { IncomingMessage } from 'node:http';
import { tokenFromRequest } from '../access/token-authorize.js';
import { TokenError, verifyToken } from '../access/token.js';
import type { ApiCall } from '../http/api/api-call.js';
import type { ApiRoute } from '../http/api/router.js';
import type { ResolvedOptions } from '../config.js';
import { deadLettersOperation, replayOperation } from './webhook-openapi.js';
import type { Webhooks } from './webhooks.js';

/** Most dead letters one listing returns (and its default). */
export const MAX_LISTED_DEAD_LETTERS = 500;

type OperatorVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Whether the request comes from an operator (see the top). */
export async function isOperator(
  options: Pick<ResolvedOptions, 'secret' | 'authorize' | 'webhookOperator'>,
  req: IncomingMessage,
): Promise<OperatorVerdict> {
  if (options.secret !== undefined) {
    const token = tokenFromRequest(new URL(req.url ?? '/', 'http://localhost'), req.headers);
    if (!token) return { ok: false, status: 401, message: 'token required' };
    try {
      const claims = await verifyToken(options.secret, token);
      if (claims.doc === '*' && claims.mode === 'rw') return { ok: true };
      return {
        ok: false,
        status: 403,
        message: "dead letters need an operator token: --doc '*' --mode rw",
      };
    } catch (error) {
      if (error instanceof TokenError) {
        return { ok: false, status: 401, message: 'invalid or expired token' };
      }
      throw error;
    }
  }
  if (options.authorize !== undefined) {
    if (options.webhookOperator && (await options.webhookOperator(req))) return { ok: true };
    return { ok: false, status: 403, message: 'not an operator (see the webhookOperator option)' };
  }
  return { ok: true }; // open mode: anyone may do anything
}

function positiveInt(text: string | null): number | null {
  if (text === null || !/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Refuses (answered) unless webhooks are on and the caller is an operator. */
async function guard(webhooks: Webhooks | null, call: ApiCall): Promise<Webhooks | null> {
  const verdict = await isOperator(call.deps.options, call.req);
  if (!verdict.ok) {
    call.refuse(verdict.status, verdict.message);
    return null;
  }
  if (!webhooks) {
    call.refuse(501, 'no webhook receiver is configured (--webhook-url)');
    return null;
  }
  return webhooks;
}

async function list(webhooks: Webhooks | null, call: ApiCall): Promise<void> {
  const on = await guard(webhooks, call);
  if (!on) return;
  const query = call.url.searchParams;
  const limitText = query.get('limit');
  const limit = limitText === null ? MAX_LISTED_DEAD_LETTERS : positiveInt(limitText);
  if (limit === null || limit > MAX_LISTED_DEAD_LETTERS) {
    return call.refuse(400, `limit must be an integer from 1 to ${MAX_LISTED_DEAD_LETTERS}`);
  }
  const afterText = query.get('after');
  const after = afterText === null ? 0 : positiveInt(afterText);
  if (after === null) return call.refuse(400, 'after must be a dead letter id');
  const dead = await on.deadLetters(limit, after);
  const deadLetters = dead.map((d) => ({
    id: d.seq,
    eventId: d.eventId,
    event: d.event,
    doc: d.doc,
    receiver: d.receiverOrigin,
    createdAt: d.createdAt,
    deadAt: d.deadAt,
    attempts: d.attempts,
    lastError: d.lastError,
  }));
  const last = dead.at(-1);
  call.json(200, {
    deadLetters,
    ...(dead.length === limit && last ? { next: last.seq } : {}),
  });
}

async function replay(webhooks: Webhooks | null, call: ApiCall): Promise<void> {
  const on = await guard(webhooks, call);
  if (!on) return;
  const id = positiveInt(call.params.id ?? null);
  if (id === null) return call.refuse(400, 'the dead letter id must be a positive integer');
  const result = await on.replay(id);
  if (result === 'not-found') return call.refuse(404, 'no such dead letter');
  if (result === 'unknown-receiver') {
    return call.refuse(409, 'its receiver is no longer configured; nothing would send it');
  }
  call.json(202, { id, replayed: true });
}

export function webhookRoutes(webhooks: Webhooks | null): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/webhooks/dead-letters',
      access: 'none',
      openapi: deadLettersOperation,
      handle: (call) => list(webhooks, call),
    },
    {
      method: 'POST',
      path: '/api/webhooks/dead-letters/{id}/replay',
      access: 'none',
      openapi: replayOperation,
      handle: (call) => replay(webhooks, call),
    },
  ];
}
