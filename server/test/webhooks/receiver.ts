/**
 * A real webhook receiver for the tests: an HTTP server on 127.0.0.1 port 0 that checks every
 * request's X-Quire-Signature against the raw body, and answers as the test says (2xx, a
 * status, or no answer at all). It records every request, good or bad.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/index.js';

export interface ReceivedEvent {
  id: string;
  event: string;
  doc: string;
  at: number;
  sentAt: number;
  [field: string]: unknown;
}

export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  port: number;
  /** Verified events, in arrival order (every attempt, so duplicates show). */
  events: ReceivedEvent[];
  /** Requests whose signature did not verify. */
  badSignatures: number;
  /** Requests answered so far (any answer). */
  requests: number;
  /** How the next requests are answered; default 204. */
  answer: Answer;
  /** Answers with these first, one per request, then with `answer`. */
  script: Answer[];
  ofType(event: string): ReceivedEvent[];
  /** Stops listening (the port refuses connections) and drops hanging requests. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

export async function startReceiver(secret: string, port = 0): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  let server: Server;
  const receiver: Receiver = {
    url: '',
    port: 0,
    events: [],
    badSignatures: 0,
    requests: 0,
    answer: 204,
    script: [],
    ofType: (event) => receiver.events.filter((e) => e.event === event),
    stop: async () => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    restart: () => listen(receiver.port),
  };
  const listen = (at: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          receiver.requests++;
          if (!verifyWebhookSignature(secret, body, req.headers['x-quire-signature'] as string)) {
            receiver.badSignatures++;
          } else {
            receiver.events.push(JSON.parse(body.toString('utf8')) as ReceivedEvent);
          }
          const answer = receiver.script.shift() ?? receiver.answer;
          if (answer === 'hang') {
            hanging.add(res);
            return;
          }
          res.writeHead(answer);
          res.end();
        });
      });
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        receiver.port = (server.address() as AddressInfo).port;
        receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
        resolve();
      });
    });
  await listen(port);
  return receiver;
}

/** The ids of `events`, each once. */
export const distinctIds = (events: readonly ReceivedEvent[]) => new Set(events.map((e) => e.id));
