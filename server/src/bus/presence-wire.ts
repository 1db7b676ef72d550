/**
 * What an `{kind: 'awareness'}` bus message carries (bus/presence-link.ts): one byte saying what
 * it is, then, except for a query, a y-protocols awareness update (the entries, with the
 * publishing instance's relay clocks):
 *
 *   1 = changes     some of the publisher's clients changed or left (removals are "null")
 *   2 = everything  all the publisher has in this room: a receiver drops that instance's states
 *                   missing from it (a removal lost in an outage must not leave a ghost)
 *   3 = query       "I just opened this room: tell me everything" (no entries)
 *
 * Decoding is strict and bounded: anything else is refused as a whole (null).
 */
import { decodeAwarenessUpdate, encodeAwarenessUpdate, type AwarenessEntry } from '@quire/shared';

export type PresenceMessage =
  | { kind: 'changes'; entries: AwarenessEntry[] }
  | { kind: 'everything'; entries: AwarenessEntry[] }
  | { kind: 'query' };

const KIND_CHANGES = 1;
const KIND_EVERYTHING = 2;
const KIND_QUERY = 3;

export function encodePresence(message: PresenceMessage): Uint8Array {
  if (message.kind === 'query') return Uint8Array.of(KIND_QUERY);
  const entries = encodeAwarenessUpdate(message.entries);
  const out = new Uint8Array(1 + entries.length);
  out[0] = message.kind === 'changes' ? KIND_CHANGES : KIND_EVERYTHING;
  out.set(entries, 1);
  return out;
}

/** `maxEntries`: more in one message is refused (an instance announces at most its cap). */
export function decodePresence(bytes: Uint8Array, maxEntries: number): PresenceMessage | null {
  const kind = bytes[0];
  if (kind === KIND_QUERY) return bytes.length === 1 ? { kind: 'query' } : null;
  if (kind !== KIND_CHANGES && kind !== KIND_EVERYTHING) return null;
  let entries: AwarenessEntry[];
  try {
    entries = decodeAwarenessUpdate(bytes.subarray(1), maxEntries);
  } catch {
    return null;
  }
  return { kind: kind === KIND_CHANGES ? 'changes' : 'everything', entries };
}
