/** @quire/client — the collaborative editor library. Importing it has no side effects. */
export { createEditor, TEXT_NAME, type CreateEditorOptions, type QuireEditor } from './editor.js';
export { defineQuireEditor, QUIRE_EDITOR_TAG, type QuireEditorElement } from './element.js';
export {
  computeStatus,
  isDurablySaved,
  stateVectorCovers,
  fatalCloseMessage,
  type QuireStatus,
  type StatusView,
} from './status.js';
export {
  HTTP_GONE,
  retryNotice,
  stopMessage,
  stopReasonForClose,
  stopReasonForHttpStatus,
  type StopReason,
} from './stop-policy.js';
export { Backoff, backoffDelay, type BackoffOptions } from './backoff.js';
export { toWebSocketUrl, docPath } from './connection.js';
export { offlineStoreName } from './offline.js';
export { presenceEntries, renderPresence, type PresenceEntry } from './presence.js';
export { sanitizeAwarenessUpdate, cleanUser } from './awareness-guard.js';
export { USER_COLORS, type UserIdentity } from './user.js';
export { parseThemeSetting, type ThemeSetting, type ColorScheme } from './color-scheme.js';
export { contrastRatio, readableOn } from './contrast.js';
export { readTokenHints, type TokenHints } from './token-hints.js';
export { DEFAULT_EDITOR_MODE, parseEditorMode, type EditorMode } from './markdown/mode.js';
export {
  toggleBold,
  toggleItalic,
  toggleLink,
  formattingKeymap,
} from './markdown/format-commands.js';
export { renderMarkdown } from './markdown/render.js';
export type { SanitizeOptions } from './markdown/sanitize.js';
export type { MarkdownPreview } from './markdown/preview.js';
