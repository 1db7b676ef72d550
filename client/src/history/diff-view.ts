/**
 * The History panel's diff: a read-only CodeMirror view of the newer text with @codemirror/merge's
 * unified merge view marking what the older text had (deleted lines and words in red, inserted in
 * green), long unchanged stretches folded. Colors alone say nothing to a screen reader, so a
 * one-line summary in words (`summarizeDiff`) goes with it.
 */
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { presentableDiff, unifiedMergeView } from '@codemirror/merge';

export interface DiffSummary {
  changes: number;
  added: number;
  removed: number;
}

export function summarizeDiff(before: string, after: string): DiffSummary {
  let added = 0;
  let removed = 0;
  // The same bounds as the merge view's own diff: long, very different texts stay fast.
  const changes = presentableDiff(before, after, { scanLimit: 500, timeout: 200 });
  for (const change of changes) {
    added += change.toB - change.fromB;
    removed += change.toA - change.fromA;
  }
  return { changes: changes.length, added, removed };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describeDiff({ changes, added, removed }: DiffSummary): string {
  if (changes === 0) return 'No differences: the texts are the same.';
  return (
    `${plural(changes, 'change')}: ${plural(added, 'character')} added, ` +
    `${plural(removed, 'character')} removed.`
  );
}

const diffTheme = EditorView.theme({
  '&': { fontSize: '14px', height: '100%', backgroundColor: 'var(--quire-bg, #fff)' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    lineHeight: '1.55',
  },
  '.cm-content': { padding: '0.75rem 1rem 0.75rem 0.25rem' },
  // The merge package's defaults are pale; these keep 4.5:1 text contrast, and removed text is
  // also struck through, so the diff does not rely on color alone.
  '.cm-deletedChunk': { backgroundColor: 'var(--quire-diff-del-bg, #ffebe9)' },
  '.cm-deletedText': {
    background: 'var(--quire-diff-del-mark, #ffc1bd)',
    color: 'var(--quire-diff-del-fg, #82071e)',
    textDecoration: 'line-through',
  },
  '.cm-changedLine, .cm-inlineChangedLine': {
    backgroundColor: 'var(--quire-diff-ins-bg, #e6ffec)',
  },
  '.cm-changedText': {
    background: 'var(--quire-diff-ins-mark, #aceebb)',
    color: 'var(--quire-diff-ins-fg, #044f1e)',
  },
  '&.cm-focused': { outline: '2px solid var(--quire-focus, #0969da)', outlineOffset: '-2px' },
});

/** The diff is by lines: text typed after a last line without a newline would otherwise show
 * that untouched line as removed and added again. */
function lineEnded(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

export interface DiffView {
  /** Shows the changes from `before` to `after`. */
  show(before: string, after: string, label: string): void;
  /** `after` changed (someone typed): updates in place, keeping the scroll position. */
  updateAfter(after: string): void;
  destroy(): void;
}

function stateFor(before: string, after: string, label: string): EditorState {
  const extensions: Extension = [
    unifiedMergeView({
      original: before,
      mergeControls: false,
      gutter: true,
      syntaxHighlightDeletions: false,
      // A line that only gained or lost a few words shows once, with the words marked.
      allowInlineDiffs: true,
      collapseUnchanged: { margin: 3, minSize: 8 },
    }),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.lineWrapping,
    diffTheme,
    // Not editable, yet reachable with Tab so keyboard users can scroll and read it.
    EditorView.contentAttributes.of({ tabindex: '0', 'aria-label': label }),
  ];
  return EditorState.create({ doc: after, extensions });
}

export function mountDiffView(parent: HTMLElement): DiffView {
  const view = new EditorView({ parent, state: stateFor('', '', 'Changes') });
  return {
    show(before, after, label) {
      view.setState(stateFor(lineEnded(before), lineEnded(after), label));
    },
    updateAfter(text) {
      const after = lineEnded(text);
      const current = view.state.doc.toString();
      if (current === after) return;
      // Replace only the differing middle, so the view keeps its place.
      let start = 0;
      const max = Math.min(current.length, after.length);
      while (start < max && current.charCodeAt(start) === after.charCodeAt(start)) start++;
      let end = 0;
      while (
        end < max - start &&
        current.charCodeAt(current.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
      ) {
        end++;
      }
      view.dispatch({
        changes: {
          from: start,
          to: current.length - end,
          insert: after.slice(start, after.length - end),
        },
      });
    },
    destroy() {
      view.destroy();
    },
  };
}
