/**
 * Remote awareness states end up in our DOM: cursor labels and the presence list. y-codemirror
 * puts `user.color` straight into a `style` attribute, so every incoming state is cleaned here,
 * at the boundary, before any renderer sees it: names lose control/bidi characters and are
 * length-capped, colors must be `#rrggbb`, unknown shapes are dropped.
 */
import {
  decodeAwarenessUpdate,
  encodeAwarenessUpdate,
  sanitizeColor,
  sanitizeUserName,
  type AwarenessEntry,
} from '@quire/shared';

/** More entries than any real room has; bounds the work one hostile frame can cause. */
export const MAX_AWARENESS_ENTRIES = 1000;

export interface QuireUser {
  name: string;
  color: string;
}

/** A user object safe to render: sanitized name, `#rrggbb` color, derived light color. */
export function cleanUser(value: unknown): QuireUser & { colorLight: string } {
  const raw = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const name = sanitizeUserName(raw.name);
  const color = sanitizeColor(raw.color);
  return { name, color, colorLight: `${color}33` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the state as JSON text with `user` cleaned and malformed cursors removed. */
export function cleanStateJSON(stateJSON: string): string {
  let state: unknown;
  try {
    state = JSON.parse(stateJSON);
  } catch {
    return 'null';
  }
  if (state === null) return 'null';
  if (!isObject(state)) return '{}';
  const cleaned: Record<string, unknown> = { ...state };
  if ('user' in cleaned) cleaned.user = cleanUser(cleaned.user);
  const cursor = cleaned.cursor;
  if (cursor !== undefined && cursor !== null) {
    if (!isObject(cursor) || !isObject(cursor.anchor) || !isObject(cursor.head)) {
      delete cleaned.cursor;
    }
  }
  return JSON.stringify(cleaned);
}

/** Cleans an encoded awareness update; returns null when it cannot be decoded at all. */
export function sanitizeAwarenessUpdate(update: Uint8Array): Uint8Array | null {
  let entries: AwarenessEntry[];
  try {
    entries = decodeAwarenessUpdate(update, MAX_AWARENESS_ENTRIES);
  } catch {
    return null;
  }
  return encodeAwarenessUpdate(
    entries.map((e) => ({ ...e, stateJSON: cleanStateJSON(e.stateJSON) })),
  );
}
