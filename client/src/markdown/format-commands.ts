/**
 * Formatting shortcuts for Markdown: bold (Mod-b), italic (Mod-i) and link (Mod-k). Each toggles:
 * applied to text that already has the markup, it removes it. Each is one transaction for every
 * selection range, and the undo boundaries around it make it one step of its own in the
 * collaborative undo history (Y.UndoManager would otherwise merge it with typing done within its
 * capture timeout, and Mod-z would undo both).
 */
import {
  EditorSelection,
  Facet,
  type ChangeSpec,
  type EditorState,
  type SelectionRange,
  type StateCommand,
  type Transaction,
} from '@codemirror/state';
import type { KeyBinding } from '@codemirror/view';

/** Called before and after each formatting edit; editor.ts provides the Y.UndoManager's
 * `stopCapturing`, so the edit is its own undo step. */
export const undoBoundary = Facet.define<() => void>();

/** The text a link made from an empty selection starts with, and its target placeholder. */
export const LINK_TEXT_PLACEHOLDER = 'link text';
export const LINK_URL_PLACEHOLDER = 'url';

function asOneUndoStep(build: (state: EditorState) => Transaction | null): StateCommand {
  return ({ state, dispatch }) => {
    if (state.readOnly) return false;
    const tr = build(state);
    if (!tr) return false;
    const boundaries = state.facet(undoBoundary);
    boundaries.forEach((stop) => stop());
    dispatch(tr);
    boundaries.forEach((stop) => stop());
    return true;
  };
}

/** How many `char`s run from `pos` backwards (dir -1) or forwards (dir 1), at most `limit`. */
function run(state: EditorState, pos: number, dir: -1 | 1, char: string, limit: number): number {
  let count = 0;
  while (count < limit) {
    const at = dir < 0 ? pos - count - 1 : pos + count;
    if (at < 0 || at >= state.doc.length || state.doc.sliceString(at, at + 1) !== char) break;
    count++;
  }
  return count;
}

/** Leading and trailing whitespace is left outside the markup: `** word**` is not bold. */
function trimmed(state: EditorState, range: SelectionRange): { from: number; to: number } {
  if (range.empty) {
    // A caret inside a word formats that word.
    const word = state.wordAt(range.head);
    if (!word) return { from: range.from, to: range.to };
    // `_` counts as a word character, but around a word it is emphasis markup.
    const text = state.sliceDoc(word.from, word.to);
    const lead = text.length - text.replace(/^_+/, '').length;
    const trail = text.length - text.replace(/_+$/, '').length;
    if (lead + trail >= text.length) return { from: range.from, to: range.to };
    return { from: word.from + lead, to: word.to - trail };
  }
  const text = state.sliceDoc(range.from, range.to);
  const lead = text.length - text.trimStart().length;
  const trail = text.length - text.trimEnd().length;
  if (lead === text.length) return { from: range.from, to: range.to };
  return { from: range.from + lead, to: range.to - trail };
}

interface Emphasis {
  /** Marker characters that mean this emphasis (`*` or `_`); the first is written. */
  chars: readonly string[];
  width: 1 | 2;
  /** Whether runs of marker characters of these lengths on both sides include this emphasis:
   * `***x***` is bold and italic, so each toggle removes its own part. */
  applied(before: number, after: number): boolean;
}

const BOLD: Emphasis = {
  chars: ['*', '_'],
  width: 2,
  applied: (before, after) => before >= 2 && after >= 2,
};
const ITALIC: Emphasis = {
  chars: ['*', '_'],
  width: 1,
  applied: (before, after) => before % 2 === 1 && after % 2 === 1,
};

function toggleEmphasis(kind: Emphasis): StateCommand {
  const w = kind.width;
  return asOneUndoStep((state) =>
    state.update(
      state.changeByRange((range) => {
        const { from, to } = trimmed(state, range);
        const keepCaret = (changes: ChangeSpec[], caretShift: number) => {
          const head = range.head + caretShift;
          return { changes, range: EditorSelection.cursor(head) };
        };
        for (const char of kind.chars) {
          // The markup just outside the selection: `**[word]**`.
          if (kind.applied(run(state, from, -1, char, 3), run(state, to, 1, char, 3))) {
            const changes = [
              { from: from - w, to: from },
              { from: to, to: to + w },
            ];
            if (range.empty) return keepCaret(changes, -w);
            return { changes, range: EditorSelection.range(from - w, to - w) };
          }
          // The markup selected with the text: `[**word**]`.
          const inside = to - from;
          const start = run(state, from, 1, char, Math.min(3, inside));
          const end = run(state, to, -1, char, Math.min(3, inside));
          if (!range.empty && inside > 2 * w && start + end < inside && kind.applied(start, end)) {
            const changes = [
              { from, to: from + w },
              { from: to - w, to },
            ];
            return { changes, range: EditorSelection.range(from, to - 2 * w) };
          }
        }
        const marker = (kind.chars[0] ?? '*').repeat(w);
        const changes = [
          { from, insert: marker },
          { from: to, insert: marker },
        ];
        if (range.empty) return keepCaret(changes, w);
        return { changes, range: EditorSelection.range(from + w, to + w) };
      }),
      { scrollIntoView: true, userEvent: 'input.format' },
    ),
  );
}

export const toggleBold: StateCommand = toggleEmphasis(BOLD);
export const toggleItalic: StateCommand = toggleEmphasis(ITALIC);

/** `[text](target)` not preceded by `!` (an image): the groups are the text and the target. */
const LINK_PATTERN = /(?<!!)\[([^\]\n]*)\]\(([^)\n]*)\)/g;
const URL_LIKE = /^(?:https?:\/\/|mailto:)\S+$/i;

/**
 * Mod-k: selected text becomes `[text](url)` with `url` selected, ready to be typed over; a
 * selected URL becomes `[](URL)` with the caret in the brackets. Inside an existing link (its
 * text or its target), the link is removed and its text kept and selected.
 */
export const toggleLink: StateCommand = asOneUndoStep((state) =>
  state.update(
    state.changeByRange((range) => {
      const line = state.doc.lineAt(range.from);
      if (range.to <= line.to) {
        for (const match of line.text.matchAll(LINK_PATTERN)) {
          const start = line.from + match.index;
          const end = start + match[0].length;
          const inside = range.empty
            ? range.head > start && range.head < end
            : range.from >= start && range.to <= end;
          if (inside) {
            const text = match[1] ?? '';
            return {
              changes: { from: start, to: end, insert: text },
              range: EditorSelection.range(start, start + text.length),
            };
          }
        }
      }
      const { from, to } = trimmed(state, range);
      const text = state.sliceDoc(from, to);
      if (URL_LIKE.test(text)) {
        return {
          changes: [
            { from, insert: '[](' },
            { from: to, insert: ')' },
          ],
          range: EditorSelection.cursor(from + 1),
        };
      }
      const label = text || LINK_TEXT_PLACEHOLDER;
      const urlStart = from + 1 + label.length + 2;
      return {
        changes: { from, to, insert: `[${label}](${LINK_URL_PLACEHOLDER})` },
        range: EditorSelection.range(urlStart, urlStart + LINK_URL_PLACEHOLDER.length),
      };
    }),
    { scrollIntoView: true, userEvent: 'input.format' },
  ),
);

/** The bindings, ahead of CodeMirror's defaults (whose Mod-i selects the syntax parent). */
export const formattingKeymap: readonly KeyBinding[] = [
  { key: 'Mod-b', run: toggleBold, preventDefault: true },
  { key: 'Mod-i', run: toggleItalic, preventDefault: true },
  { key: 'Mod-k', run: toggleLink, preventDefault: true },
];
