/**
 * How a rename tells open editors where their document went. Sessions on the old name are
 * closed with 4410 Gone (CloseCode.Gone), which every stock y-websocket client treats as
 * "this name no longer exists"; the close reason carries the new name, which the Quire editor
 * reads to follow it. A close reason is at most 123 bytes: when the new name does not fit, the
 * reason says only that the document was renamed.
 */
const PREFIX = 'renamed to ';
const MAX_CLOSE_REASON_BYTES = 123;
/** The reason when the new name does not fit in a close reason. */
export const RENAMED_REASON = 'document renamed';

/** The close reason for sessions of a document renamed to `to`. */
export function renamedReason(to: string): string {
  const reason = PREFIX + to;
  return new TextEncoder().encode(reason).length <= MAX_CLOSE_REASON_BYTES
    ? reason
    : RENAMED_REASON;
}

/** The new name a close reason names, or null when it names none. */
export function renamedTarget(reason: string): string | null {
  return reason.startsWith(PREFIX) && reason.length > PREFIX.length
    ? reason.slice(PREFIX.length)
    : null;
}
