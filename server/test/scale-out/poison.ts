/**
 * Poison for a document's bus channel (`quire:doc:<name>`, RedisBus's default key prefix, which
 * the CLI uses): what anyone who can reach Redis might PUBLISH there. Some of it is not an
 * envelope at all; some is a well-formed envelope from an instance that does not exist, carrying
 * bytes that are no Yjs update, a Yjs update whose dependencies never arrive, or a seq far ahead
 * of the document's head (a receiver that trusts it would look for updates that never exist).
 */
import * as Y from 'yjs';
import { encodeBusMessage, encodeInstanceId } from '../../src/bus/redis-codec.js';
import { rawRedis } from '../helpers/redis.js';

/** An update that depends on an insert nobody has: applying it leaves it pending forever. */
function gappedUpdate(): Uint8Array {
  const doc = new Y.Doc();
  const text = doc.getText('text');
  text.insert(0, 'never delivered ');
  const before = Y.encodeStateVector(doc);
  text.insert(text.length, '[poison.1]');
  const tail = Y.encodeStateAsUpdate(doc, before);
  doc.destroy();
  return tail;
}

export function poisonMessages(): Buffer[] {
  const intruder = encodeInstanceId('intruder');
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256);
  const envelope = (message: Parameters<typeof encodeBusMessage>[1]) =>
    encodeBusMessage(intruder, message);
  return [
    Buffer.alloc(0),
    Buffer.from(garbage),
    Buffer.from('{"type":"update","data":"AAAA"}'),
    // Version 1, kind 9: no such kind.
    Buffer.from([1, 9, 1, 0x41, 1, 2, 3]),
    envelope({ kind: 'update', update: garbage }),
    envelope({ kind: 'update', update: garbage, seq: 2 ** 40 }),
    envelope({ kind: 'update', update: gappedUpdate() }),
    envelope({ kind: 'update', update: gappedUpdate(), seq: 1 }),
    envelope({ kind: 'update', update: new Uint8Array(0), seq: Number.MAX_SAFE_INTEGER }),
    envelope({ kind: 'awareness', update: garbage }),
  ];
}

/** Publishes each message raw on the document's channel; resolves with how many were sent. */
export async function publishRaw(
  redisUrl: string,
  docName: string,
  messages: readonly Buffer[],
): Promise<number> {
  const redis = rawRedis(redisUrl);
  try {
    for (const m of messages) await redis.publish(`quire:doc:${docName}`, m);
    return messages.length;
  } finally {
    redis.disconnect();
  }
}
