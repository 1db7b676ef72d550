/**
 * What kind of text an editor holds. "markdown": highlighting, formatting shortcuts, list
 * continuation and the live preview. "plain": a plain-text editor (for documents that are not
 * Markdown, where `#` or `*` mean nothing special). Both have search and line wrapping.
 */
export type EditorMode = 'markdown' | 'plain';

/** The mode when none is given, for createEditor and the `<quire-editor>` element alike. */
export const DEFAULT_EDITOR_MODE: EditorMode = 'markdown';

/** `"plain"` is plain text; anything else (missing, misspelt) is the default. */
export function parseEditorMode(value: unknown): EditorMode {
  return value === 'plain' ? 'plain' : value === 'markdown' ? 'markdown' : DEFAULT_EDITOR_MODE;
}
