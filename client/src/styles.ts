/**
 * The editor chrome's CSS, injected once per document or shadow root (so `<quire-editor>` works
 * inside its shadow DOM and no separate stylesheet has to be linked by embedders).
 */
import { HISTORY_CSS } from './history/styles.js';
import { MARKDOWN_CSS } from './markdown/styles.js';

const STYLE_ID = 'quire-editor-styles';

/** The palette, light and dark. The root's data-theme is set by the editor (color-scheme.ts). */
const PALETTE_CSS = `
.quire { color-scheme: light;
  --quire-bg: #ffffff; --quire-fg: #1f2328; --quire-muted: #57606a; --quire-border: #d0d7de;
  --quire-bar-bg: #f6f8fa; --quire-button-bg: #f6f8fa; --quire-button-hover: #eaeef2;
  --quire-hover-bg: #f6f8fa; --quire-focus: #0969da; --quire-accent: #0969da;
  --quire-accent-bg: #ddf4ff; --quire-accent-fg: #0550ae; --quire-danger: #a40e26;
  --quire-error-bg: #ffebe9; --quire-success: #116329; --quire-success-bg: #dafbe1;
  --quire-note-bg: #fff8c5; --quire-note-fg: #6c4400; --quire-note-border: #d4a72c;
  --quire-neutral-bg: #eaeef2; --quire-neutral-fg: #424a53;
  --quire-diff-del-bg: #ffebe9; --quire-diff-del-mark: #ffc1bd; --quire-diff-del-fg: #82071e;
  --quire-diff-ins-bg: #e6ffec; --quire-diff-ins-mark: #aceebb; --quire-diff-ins-fg: #044f1e; }
.quire[data-theme="dark"] { color-scheme: dark;
  --quire-bg: #161b22; --quire-fg: #e6edf3; --quire-muted: #9ea7b3; --quire-border: #3d444d;
  --quire-bar-bg: #1c2128; --quire-button-bg: #21262d; --quire-button-hover: #30363d;
  --quire-hover-bg: #21262d; --quire-focus: #4493f8; --quire-accent: #4493f8;
  --quire-accent-bg: #0c2d6b; --quire-accent-fg: #a5d6ff; --quire-danger: #ff7b72;
  --quire-error-bg: #3d1214; --quire-success: #56d364; --quire-success-bg: #0f2d16;
  --quire-note-bg: #3a2c06; --quire-note-fg: #f2cc60; --quire-note-border: #9e6a03;
  --quire-neutral-bg: #30363d; --quire-neutral-fg: #d1d9e0;
  --quire-diff-del-bg: #3d1214; --quire-diff-del-mark: #8e1519; --quire-diff-del-fg: #ffdcd7;
  --quire-diff-ins-bg: #0f2d16; --quire-diff-ins-mark: #116329; --quire-diff-ins-fg: #d2f8d9; }
`;

export const QUIRE_CSS = `${PALETTE_CSS}
.quire { display: flex; flex-direction: column; min-height: 12rem; height: 100%;
  box-sizing: border-box; border: 1px solid var(--quire-border); border-radius: 8px;
  background: var(--quire-bg); color: var(--quire-fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
.quire-bar { display: flex; align-items: center; gap: 0.5rem 0.75rem; flex-wrap: wrap;
  padding: 0.4rem 0.75rem; border-bottom: 1px solid var(--quire-border);
  background: var(--quire-bar-bg); border-radius: 8px 8px 0 0; }
.quire-status { font-size: 12px; padding: 2px 10px; border-radius: 999px; white-space: normal; }
.quire-status[data-status="connecting"] { background: var(--quire-neutral-bg);
  color: var(--quire-neutral-fg); }
.quire-status[data-status="online"] { background: var(--quire-accent-bg);
  color: var(--quire-accent-fg); }
.quire-status[data-status="saved"] { background: var(--quire-success-bg);
  color: var(--quire-success); }
.quire-status[data-status="reconnecting"], .quire-status[data-status="offline"] {
  background: var(--quire-note-bg); color: var(--quire-note-fg); }
.quire-status[data-status="denied"] { background: var(--quire-error-bg);
  color: var(--quire-danger); font-weight: 600; }
.quire-readonly { font-size: 12px; color: var(--quire-muted); border: 1px solid var(--quire-border);
  border-radius: 999px; padding: 1px 8px; }
.quire-notice { font-size: 13px; padding: 6px 12px; background: var(--quire-note-bg);
  color: var(--quire-note-fg); border-bottom: 1px solid var(--quire-note-border); }
.quire-notice[hidden] { display: none; }
.quire-presence { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 0.4rem;
  margin: 0 0 0 auto; padding: 0; min-width: 0; }
.quire-person { display: inline-flex; align-items: center; gap: 0.3rem; font-size: 12px;
  min-width: 0; overflow-wrap: anywhere; }
.quire-person.quire-self { padding: 1px 4px; }
/* Faded, yet its name keeps 4.5:1 in both themes (0.7 of the text color over the bar). */
.quire-person.quire-idle { opacity: 0.7; }
.quire-person.quire-idle .quire-swatch { opacity: 0.6; }
.quire-person-jump { display: inline-flex; align-items: center; gap: 0.3rem; font: inherit;
  color: inherit; background: none; border: 1px solid transparent; border-radius: 999px;
  padding: 1px 6px 1px 4px; cursor: pointer; min-width: 0; text-align: start; }
.quire-person-jump:hover { background: var(--quire-hover-bg); border-color: var(--quire-border); }
.quire-person-jump:focus-visible { outline: 2px solid var(--quire-focus); outline-offset: 1px; }
.quire-person-jump[aria-pressed="true"] { background: var(--quire-accent-bg);
  border-color: var(--quire-accent); color: var(--quire-accent-fg); }
.quire-swatch { width: 0.7rem; height: 0.7rem; border-radius: 50%; display: inline-block;
  flex: none; box-shadow: inset 0 0 0 1px rgb(0 0 0 / 15%); }
.quire[data-theme="dark"] .quire-swatch { box-shadow: 0 0 0 1px rgb(255 255 255 / 35%); }
.quire-following { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.75rem;
  padding: 4px 12px; font-size: 13px; background: var(--quire-accent-bg);
  color: var(--quire-accent-fg); border-bottom: 1px solid var(--quire-accent); }
.quire-following[hidden] { display: none; }
.quire-following .quire-button { font-size: 12px; padding: 1px 8px; }
.quire-editor { flex: 1; min-height: 0; min-width: 0; display: flex; }
.quire-editor .cm-editor { flex: 1; min-width: 0; min-height: 10rem;
  border-radius: 0 0 8px 8px; }
.quire-editor .cm-editor.cm-focused { outline: 2px solid var(--quire-focus); outline-offset: -2px; }
/* The History diff is a second CodeMirror without the editor's theme (history/diff-view.ts):
 * its gutter, caret and selection would keep CodeMirror's light defaults on a dark panel. */
.quire[data-theme="dark"] .quire-history-diff .cm-gutters { background: var(--quire-bg);
  color: var(--quire-muted); border-color: var(--quire-border); }
.quire[data-theme="dark"] .quire-history-diff .cm-content { caret-color: var(--quire-fg); }
.quire[data-theme="dark"] .quire-history-diff .cm-cursor { border-left-color: var(--quire-fg); }
.quire[data-theme="dark"] .quire-history-diff .cm-selectionBackground { background: #264f78; }
/* The History panel's solid danger button: white text would fail on the light dark-theme red. */
.quire[data-theme="dark"] .quire-dialog .quire-button-danger { color: #0d1117; }
.quire-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
${HISTORY_CSS}${MARKDOWN_CSS}`;

export function ensureStyles(root: Node): void {
  const target =
    typeof ShadowRoot !== 'undefined' && root instanceof ShadowRoot
      ? root
      : (root.ownerDocument ?? (root as Document)).head;
  if (!target || target.querySelector(`style#${STYLE_ID}`)) return;
  const style = (root.ownerDocument ?? (root as Document)).createElement('style');
  style.id = STYLE_ID;
  style.textContent = QUIRE_CSS;
  target.append(style);
}
