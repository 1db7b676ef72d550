/**
 * The editor chrome's CSS, injected once per document or shadow root (so `<quire-editor>` works
 * inside its shadow DOM and no separate stylesheet has to be linked by embedders).
 */
import { HISTORY_CSS } from './history/styles.js';

const STYLE_ID = 'quire-editor-styles';

export const QUIRE_CSS = `
.quire { display: flex; flex-direction: column; min-height: 12rem; height: 100%;
  box-sizing: border-box; border: 1px solid #d0d7de; border-radius: 8px; background: #fff;
  color: #1f2328; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
.quire-bar { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap;
  padding: 0.4rem 0.75rem; border-bottom: 1px solid #d0d7de; background: #f6f8fa;
  border-radius: 8px 8px 0 0; }
.quire-status { font-size: 12px; padding: 2px 10px; border-radius: 999px; white-space: normal; }
.quire-status[data-status="connecting"] { background: #eaeef2; color: #424a53; }
.quire-status[data-status="online"] { background: #ddf4ff; color: #0550ae; }
.quire-status[data-status="saved"] { background: #dafbe1; color: #116329; }
.quire-status[data-status="reconnecting"] { background: #fff8c5; color: #6c4400; }
.quire-status[data-status="offline"] { background: #fff8c5; color: #6c4400; }
.quire-status[data-status="denied"] { background: #ffebe9; color: #a40e26; font-weight: 600; }
.quire-readonly { font-size: 12px; color: #57606a; border: 1px solid #d0d7de;
  border-radius: 999px; padding: 1px 8px; }
.quire-notice { font-size: 13px; padding: 6px 12px; background: #fff8c5; color: #6c4400;
  border-bottom: 1px solid #d4a72c; }
.quire-notice[hidden] { display: none; }
.quire-presence { list-style: none; display: flex; flex-wrap: wrap; gap: 0.6rem;
  margin: 0 0 0 auto; padding: 0; }
.quire-person { display: inline-flex; align-items: center; gap: 0.3rem; font-size: 12px; }
.quire-person.quire-idle { opacity: 0.45; }
.quire-swatch { width: 0.7rem; height: 0.7rem; border-radius: 50%; display: inline-block;
  box-shadow: inset 0 0 0 1px rgb(0 0 0 / 15%); }
.quire-editor { flex: 1; min-height: 0; display: flex; }
.quire-editor .cm-editor { flex: 1; min-height: 10rem; }
.quire-editor .cm-editor.cm-focused { outline: 2px solid #0969da; outline-offset: -2px; }
.quire-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
${HISTORY_CSS}`;

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
