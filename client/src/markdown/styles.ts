/**
 * CSS of the preview, the shortcut list and the toolbar toggles, part of the editor's stylesheet
 * (styles.ts). Colors are the chrome's `--quire-*` custom properties, so light and dark follow
 * the editor's theme. Whether the preview sits beside the text or takes its place depends on the
 * editor's own width (a container query), not the window's: an embedded editor can be narrow on
 * a wide screen.
 */
import { EditorView } from '@codemirror/view';

/** Below this editor width the preview replaces the text instead of sharing the width. */
export const SIDE_BY_SIDE_MIN_WIDTH = '40rem';

export const MARKDOWN_CSS = `
.quire-tool[aria-pressed="true"] { background: var(--quire-accent-bg, #ddf4ff);
  border-color: var(--quire-accent, #0969da); color: var(--quire-accent-fg, #0550ae); }
.quire-md-help-button { min-width: 2rem; font-weight: 600; }
.quire-md-format { display: inline-flex; gap: 0.25rem; }
.quire-is-readonly .quire-md-format { display: none; }
.quire-md-format .quire-button { min-width: 2rem; }
.quire-md-format-bold { font-weight: 700; }
.quire-md-format-italic { font-style: italic; font-family: Georgia, serif; }
.quire-editor { container-type: inline-size; }
.quire-md-preview { flex: 1 1 0; min-width: 0; min-height: 10rem; overflow: auto;
  box-sizing: border-box; padding: 1rem 1.5rem 2rem; border-left: 1px solid var(--quire-border, #d0d7de);
  background: var(--quire-bg, #fff); color: var(--quire-fg, #1f2328); border-radius: 0 0 8px 0;
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; overflow-wrap: break-word; }
.quire-md-preview[hidden] { display: none; }
.quire-md-preview:focus-visible { outline: 2px solid var(--quire-focus, #0969da); outline-offset: -2px; }
.quire-md-previewing > .cm-editor { border-radius: 0 0 0 8px; }
@container (max-width: ${SIDE_BY_SIDE_MIN_WIDTH}) {
  /* !important: CodeMirror's base theme sets display: flex !important on the editor. */
  .quire-md-previewing > .cm-editor { display: none !important; }
  .quire-md-preview { border-left: 0; border-radius: 0 0 8px 8px; padding: 0.75rem 1rem 1.5rem; }
}
.quire-md-body > :first-child { margin-top: 0; }
.quire-md-body h1, .quire-md-body h2, .quire-md-body h3, .quire-md-body h4, .quire-md-body h5,
.quire-md-body h6 { margin: 1.4em 0 0.5em; line-height: 1.25; }
.quire-md-body h1 { font-size: 1.75em; }
.quire-md-body h2 { font-size: 1.4em; }
.quire-md-body h1, .quire-md-body h2 { padding-bottom: 0.25em;
  border-bottom: 1px solid var(--quire-border, #d0d7de); }
.quire-md-body h3 { font-size: 1.2em; }
.quire-md-body h4 { font-size: 1em; }
.quire-md-body h5, .quire-md-body h6 { font-size: 0.9em; }
.quire-md-body h6 { color: var(--quire-muted, #57606a); }
.quire-md-body p, .quire-md-body ul, .quire-md-body ol, .quire-md-body dl, .quire-md-body table,
.quire-md-body blockquote, .quire-md-body pre, .quire-md-body details { margin: 0 0 1em; }
.quire-md-body ul, .quire-md-body ol { padding-left: 2em; }
.quire-md-body li + li { margin-top: 0.25em; }
.quire-md-body a { color: var(--quire-accent, #0969da); }
.quire-md-body code, .quire-md-body kbd, .quire-md-body pre {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.87em; }
.quire-md-body code { padding: 0.15em 0.35em; border-radius: 4px;
  background: var(--quire-neutral-bg, #eaeef2); }
.quire-md-body pre { padding: 0.8em 1em; overflow: auto; border-radius: 6px; line-height: 1.45;
  background: var(--quire-hover-bg, #f6f8fa); border: 1px solid var(--quire-border, #d0d7de); }
.quire-md-body pre code { padding: 0; background: none; font-size: inherit; }
.quire-md-body blockquote { margin-left: 0; padding: 0 1em; color: var(--quire-muted, #57606a);
  border-left: 4px solid var(--quire-border, #d0d7de); }
.quire-md-body hr { border: 0; border-top: 2px solid var(--quire-border, #d0d7de); margin: 1.5em 0; }
.quire-md-body table { border-collapse: collapse; display: block; max-width: 100%; overflow: auto; }
.quire-md-body th, .quire-md-body td { border: 1px solid var(--quire-border, #d0d7de);
  padding: 0.3em 0.75em; }
.quire-md-body th { background: var(--quire-hover-bg, #f6f8fa); }
.quire-md-body img { max-width: 100%; }
.quire-md-body kbd, .quire-md-help kbd { display: inline-block; padding: 0 0.35em;
  border: 1px solid var(--quire-border, #d0d7de); border-bottom-width: 2px; border-radius: 4px;
  background: var(--quire-bar-bg, #f6f8fa); font-family: ui-monospace, SFMono-Regular, Menlo,
  Consolas, monospace; font-size: 12px; line-height: 1.6; white-space: nowrap; }
.quire-md-image { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.5rem;
  max-width: 100%; vertical-align: middle; }
.quire-md-image-alt { color: var(--quire-muted, #57606a); font-style: italic; }
.quire-md-help { width: min(36rem, calc(100vw - 2rem)); max-width: none;
  max-height: calc(100vh - 2rem); overflow: auto; }
.quire-md-help-head { display: flex; align-items: center; justify-content: space-between;
  gap: 1rem; margin-bottom: 0.25rem; }
.quire-md-help-head .quire-dialog-title { margin: 0; }
.quire-md-help-table { width: 100%; border-collapse: collapse; margin: 0.25rem 0 0.75rem;
  font-size: 13px; }
.quire-md-help-table caption { text-align: start; font-size: 12px; font-weight: 600;
  text-transform: uppercase; letter-spacing: 0.03em; color: var(--quire-muted, #57606a);
  padding: 0.4rem 0 0.2rem; }
.quire-md-help-table th { text-align: start; font-weight: normal; vertical-align: top;
  padding: 4px 1rem 4px 0; width: 45%; }
.quire-md-help-table td { padding: 4px 0; vertical-align: top; }
.quire-md-help-table tr + tr { border-top: 1px solid var(--quire-border, #d0d7de); }
`;

/** CodeMirror's find bar in the chrome's colors (its base theme has fixed grays). */
export const searchPanelTheme = EditorView.theme({
  '.cm-panels': {
    backgroundColor: 'var(--quire-bar-bg, #f6f8fa)',
    color: 'var(--quire-fg, #1f2328)',
  },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--quire-border, #d0d7de)' },
  '.cm-panel.cm-search': { fontFamily: 'system-ui, sans-serif', fontSize: '13px' },
  '.cm-textfield, .cm-button': {
    fontSize: '13px',
    borderRadius: '6px',
    border: '1px solid var(--quire-border, #d0d7de)',
    color: 'var(--quire-fg, #1f2328)',
  },
  '.cm-textfield': { backgroundColor: 'var(--quire-bg, #fff)' },
  '.cm-button': { backgroundImage: 'none', backgroundColor: 'var(--quire-button-bg, #f6f8fa)' },
  '.cm-panel.cm-search [name=close]': { color: 'var(--quire-muted, #57606a)' },
  '.cm-searchMatch': {
    backgroundColor: 'rgb(255 200 0 / 30%)',
    outline: '1px solid rgb(212 167 44 / 70%)',
  },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'rgb(255 150 0 / 45%)' },
});
