/**
 * Server-side checks of one awareness state (the JSON text a client announces). States are
 * relayed to every other client and rendered there — y-codemirror.next puts `user.color` and
 * `user.colorLight` into a style attribute unescaped — so the server does not trust them:
 * the text must be JSON; `user.name` is cleaned of control/bidi characters and length-capped;
 * colors must be `#rrggbb` (`colorLight` may add an alpha byte) or are replaced.
 * The size limit is checked before parsing, so JSON.parse only ever sees bounded input.
 */
import { sanitizeColor, sanitizeUserName } from '@quire/shared';

/** `#rrggbb` or `#rrggbbaa` (y-codemirror's translucent selection color). */
const COLOR_WITH_ALPHA = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;
/** Alpha appended to a user's color for selections when their own colorLight is unusable. */
const DEFAULT_LIGHT_ALPHA = '33';

export type StateCheck = { ok: true; json: string } | { ok: false };

/** Returns the state to store and relay (the same text when nothing needed cleaning). */
export function checkAwarenessState(json: string): StateCheck {
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch {
    return { ok: false };
  }
  if (!isRecord(state) || !('user' in state)) return { ok: true, json };
  const user = state.user;
  if (!isRecord(user)) return { ok: true, json: JSON.stringify({ ...state, user: null }) };
  const cleaned: Record<string, unknown> = { ...user };
  let changed = false;
  if ('name' in user) {
    const name = sanitizeUserName(user.name);
    if (name !== user.name) {
      cleaned.name = name;
      changed = true;
    }
  }
  if ('color' in user) {
    const color = sanitizeColor(user.color);
    if (color !== user.color) {
      cleaned.color = color;
      changed = true;
    }
  }
  if ('colorLight' in user) {
    const light = user.colorLight;
    if (typeof light !== 'string' || !COLOR_WITH_ALPHA.test(light)) {
      cleaned.colorLight = `${sanitizeColor(cleaned.color)}${DEFAULT_LIGHT_ALPHA}`;
      changed = true;
    }
  }
  return changed
    ? { ok: true, json: JSON.stringify({ ...state, user: cleaned }) }
    : { ok: true, json };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
