/**
 * The editor's look in light and dark: layout shared by both, colors per scheme (the same
 * palette as the chrome in styles.ts and the demo's --q-* properties), a highlight style for
 * Markdown (and the code in fenced blocks), and the collaborators' caret labels, which show on
 * hover and for a moment after that person moves or types (caret-labels.ts), never for good.
 */
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import type { ColorScheme } from './color-scheme.js';

/** Editor background per scheme; remote-carets.ts derives caret colors readable on it. */
export const EDITOR_BACKGROUND: Record<ColorScheme, string> = {
  light: '#ffffff',
  dark: '#161b22',
};

/** Marks a caret whose label is shown (its person just moved or typed). */
export const ACTIVE_CARET_CLASS = 'quire-caret-active';

const layout = EditorView.theme({
  '&': { fontSize: '15px' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    lineHeight: '1.6',
  },
  // Right padding leaves room for a caret label at the end of a wrapped line.
  '.cm-content': { padding: '1.4rem 4rem 1rem 0.5rem' },
  // A wider, invisible hover target than the 1px caret, so its label can be called up.
  '.cm-ySelectionCaret::before': {
    content: '""',
    position: 'absolute',
    top: '0',
    bottom: '0',
    left: '-3px',
    right: '-3px',
  },
  '.cm-ySelectionInfo': {
    fontFamily: 'system-ui, sans-serif',
    fontSize: '11px',
    fontWeight: '600',
    borderRadius: '3px 3px 3px 0',
    padding: '0 4px',
    top: '-1.35em',
    opacity: '0',
    transition: 'opacity 0.15s ease-in-out',
    // A hidden label must not swallow clicks meant for the text under it.
    pointerEvents: 'none',
  },
  [`.cm-ySelectionCaret:hover > .cm-ySelectionInfo, .${ACTIVE_CARET_CLASS} > .cm-ySelectionInfo`]: {
    opacity: '1',
  },
  '@media (prefers-reduced-motion: reduce)': {
    '.cm-ySelectionInfo, .cm-ySelectionCaretDot': { transition: 'none' },
  },
});

const light = EditorView.theme(
  {
    '&': { backgroundColor: EDITOR_BACKGROUND.light, color: '#1f2328' },
    '.cm-content': { caretColor: '#1f2328' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#1f2328' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
      { backgroundColor: '#b6d7ff' },
    '.cm-placeholder': { color: '#57606a' },
    '.cm-specialChar': { color: '#cf222e' },
  },
  { dark: false },
);

const dark = EditorView.theme(
  {
    '&': { backgroundColor: EDITOR_BACKGROUND.dark, color: '#e6edf3' },
    '.cm-content': { caretColor: '#e6edf3' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: '#e6edf3' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
      { backgroundColor: '#264f78' },
    '.cm-placeholder': { color: '#9ea7b3' },
    '.cm-specialChar': { color: '#ff7b72' },
  },
  { dark: true },
);

/** Every color keeps 4.5:1 on its background; markup characters (#, *, >) are muted. */
function highlight(scheme: ColorScheme): HighlightStyle {
  const c =
    scheme === 'dark'
      ? {
          heading: '#79c0ff',
          mark: '#9ea7b3',
          link: '#4493f8',
          url: '#a5d6ff',
          code: '#ffa657',
          quote: '#9ea7b3',
          keyword: '#ff7b72',
          string: '#a5d6ff',
          number: '#79c0ff',
          fn: '#d2a8ff',
          type: '#ffa657',
        }
      : {
          heading: '#0550ae',
          mark: '#57606a',
          link: '#0969da',
          url: '#0a3069',
          code: '#953800',
          quote: '#57606a',
          keyword: '#cf222e',
          string: '#0a3069',
          number: '#0550ae',
          fn: '#8250df',
          type: '#953800',
        };
  return HighlightStyle.define(
    [
      { tag: t.heading, fontWeight: '700', color: c.heading },
      { tag: t.strong, fontWeight: '700' },
      { tag: t.emphasis, fontStyle: 'italic' },
      { tag: t.strikethrough, textDecoration: 'line-through' },
      { tag: t.link, color: c.link, textDecoration: 'underline' },
      { tag: t.url, color: c.url },
      { tag: t.monospace, color: c.code },
      { tag: t.quote, color: c.quote, fontStyle: 'italic' },
      { tag: [t.processingInstruction, t.contentSeparator, t.meta], color: c.mark },
      { tag: [t.comment, t.lineComment, t.blockComment], color: c.mark, fontStyle: 'italic' },
      { tag: [t.keyword, t.operatorKeyword, t.modifier], color: c.keyword },
      { tag: [t.string, t.special(t.string), t.regexp], color: c.string },
      { tag: [t.number, t.bool, t.atom, t.null], color: c.number },
      { tag: [t.function(t.variableName), t.function(t.propertyName)], color: c.fn },
      { tag: [t.typeName, t.className, t.tagName], color: c.type },
      { tag: t.invalid, color: c.keyword },
    ],
    { themeType: scheme },
  );
}

const highlights: Record<ColorScheme, Extension> = {
  light: syntaxHighlighting(highlight('light')),
  dark: syntaxHighlighting(highlight('dark')),
};

/** The editor's theme for one scheme (swap it through a Compartment when the scheme changes). */
export function editorTheme(scheme: ColorScheme): Extension {
  return [layout, scheme === 'dark' ? dark : light, highlights[scheme]];
}
