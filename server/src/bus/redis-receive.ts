/**
 * What arrives on a subscribed channel, handed to that channel's subscribers: decoded
 * (redis-codec.ts), skipped when this instance published it itself, and copied for each
 * subscriber. A subscriber that throws does not keep the message from the others.
 */
import type { Logger } from '../log.js';
import { decodeBusMessage, decodeInstanceMessage } from './redis-codec.js';
import type { Channel } from './redis-channels.js';

/** Delivers `bytes` to `channel`'s subscribers. False when they were not a well-formed
 * envelope (then it was dropped and logged). */
export function deliverToSubscribers(
  channel: Channel,
  bytes: Buffer,
  ownInstanceId: string,
  log: Logger,
): boolean {
  return channel.instances
    ? deliverAnnouncement(channel, bytes, ownInstanceId, log)
    : deliverDocumentMessage(channel, bytes, ownInstanceId, log);
}

function deliverDocumentMessage(
  channel: Channel,
  bytes: Buffer,
  ownInstanceId: string,
  log: Logger,
): boolean {
  const decoded = decodeBusMessage(bytes);
  if (!decoded) {
    log.warn('malformed bus message dropped', { doc: channel.docName, bytes: bytes.length });
    return false;
  }
  if (decoded.instanceId === ownInstanceId) return true;
  for (const subscription of [...channel.subscriptions]) {
    if (!('handler' in subscription)) continue;
    try {
      subscription.handler({
        instanceId: decoded.instanceId,
        docName: channel.docName,
        // A copy each: no receiver shares bytes with another, or with Redis's buffer.
        message: { ...decoded.message, update: new Uint8Array(decoded.message.update) },
      });
    } catch {
      // The caller's wrapper logs it (DocumentBus.subscribe); the other subscribers go on.
    }
  }
  return true;
}

function deliverAnnouncement(
  channel: Channel,
  bytes: Buffer,
  ownInstanceId: string,
  log: Logger,
): boolean {
  const decoded = decodeInstanceMessage(bytes);
  if (!decoded) {
    log.warn('malformed instance announcement dropped', { bytes: bytes.length });
    return false;
  }
  if (decoded.instanceId === ownInstanceId) return true;
  for (const subscription of [...channel.subscriptions]) {
    if (!('instanceHandler' in subscription)) continue;
    try {
      subscription.instanceHandler({ ...decoded, message: { ...decoded.message } });
    } catch {
      // As for documents: the caller's wrapper logs it; the other subscribers go on.
    }
  }
  return true;
}
