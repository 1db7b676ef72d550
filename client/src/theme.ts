/** Editor look, including always-visible name labels on remote carets. */
import { EditorView } from '@codemirror/view';

export const editorTheme = EditorView.theme({
  '&': { fontSize: '15px', backgroundColor: '#fff' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    lineHeight: '1.6',
  },
  // Right padding leaves room for a caret label at the end of a wrapped line.
  '.cm-content': { padding: '1.4rem 4rem 1rem 0.5rem' },
  // y-codemirror shows names only on hover; collaborators need to see who is where at a glance.
  '.cm-ySelectionInfo': {
    opacity: '1',
    fontFamily: 'system-ui, sans-serif',
    fontSize: '11px',
    fontWeight: '600',
    borderRadius: '3px 3px 3px 0',
    padding: '0 4px',
    top: '-1.35em',
  },
  '.cm-ySelectionCaret:hover > .cm-ySelectionInfo': { opacity: '0.25' },
});
