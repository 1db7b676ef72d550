/**
 * The live preview: a pane beside the text, toggled by the toolbar's Preview button or Mod-Alt-p
 * (from the text or the preview). Where the editor is narrow (a phone, a small embedded editor)
 * the preview takes the text's place instead of squeezing both (a container query in
 * markdown/styles.ts). It re-renders a moment after the text stops changing, whoever changed it
 * (remote edits arrive as editor transactions too), and at least once a second while it keeps
 * changing; it follows the editor's scroll position.
 */
import type { EditorView, ViewUpdate } from '@codemirror/view';
import { renderMarkdown } from './render.js';
import { scrollPreviewToLine, syncPreviewScroll, topVisibleLine } from './scroll-sync.js';
import { ariaKeyShortcut, isModKey, keyLabel } from './platform.js';

/** Long enough to skip re-rendering on every keystroke of a burst, short enough to feel live. */
export const PREVIEW_RENDER_DELAY_MS = 150;
/** While the text never stops changing (someone types on and on), it still re-renders this often. */
export const PREVIEW_MAX_RENDER_DELAY_MS = 1000;
/** A long document takes long to render (about 80 ms for 30 KiB, 2 s for 300 KiB, measured in
 * Chromium on a busy core): the delay grows to this many times the last render's duration, so
 * typing in it is not interrupted by a render after every word. */
export const PREVIEW_DELAY_PER_RENDER_COST = 4;

/** The preview toggle, as CodeMirror key notation (for the shortcut help). */
export const PREVIEW_TOGGLE_KEY = 'Mod-Alt-p';

export interface PreviewOptions {
  view: EditorView;
  /** The editor's host: the pane goes beside `.cm-editor`. */
  host: HTMLElement;
  /** Where the Preview button goes. */
  toolbar: HTMLElement;
  /** Receives the toggle key from both the text and the preview. */
  keyTarget: HTMLElement;
}

export interface MarkdownPreview {
  readonly isOpen: boolean;
  readonly element: HTMLElement;
  setOpen(open: boolean): void;
  /** Feed of the editor's updates (text changes, scrolling, resizes). */
  update(update: ViewUpdate): void;
  destroy(): void;
}

export function mountPreview(options: PreviewOptions): MarkdownPreview {
  const { view, host } = options;
  const doc = host.ownerDocument;
  const pane = doc.createElement('section');
  pane.className = 'quire-md-preview';
  pane.setAttribute('aria-label', 'Preview');
  // A scrollable region must be reachable by keyboard.
  pane.tabIndex = 0;
  pane.hidden = true;
  const body = doc.createElement('div');
  body.className = 'quire-md-body';
  pane.append(body);
  host.append(pane);

  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'quire-button quire-tool quire-md-preview-toggle';
  button.textContent = 'Preview';
  button.setAttribute('aria-pressed', 'false');
  button.setAttribute('aria-keyshortcuts', ariaKeyShortcut(PREVIEW_TOGGLE_KEY));
  button.title = `Show the formatted text (${keyLabel(PREVIEW_TOGGLE_KEY)})`;
  options.toolbar.append(button);

  /** Images the reader chose to load, by URL; kept across re-renders. */
  const approvedImages = new Set<string>();
  let open = false;
  let renderTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest change not yet rendered came (0: none pending). */
  let pendingSince = 0;
  let lastRenderMs = 0;
  let syncFrame = 0;
  const editorHidden = (): boolean => view.dom.getClientRects().length === 0;

  const sync = (): void => {
    syncFrame = 0;
    if (open && !editorHidden()) syncPreviewScroll(view, pane);
  };
  const scheduleSync = (): void => {
    if (!syncFrame) syncFrame = requestAnimationFrame(sync);
  };

  /** `startLine`: where a preview that replaces the text starts (the text's top line). */
  const render = (startLine?: number): void => {
    clearTimeout(renderTimer);
    renderTimer = undefined;
    pendingSince = 0;
    const keep = pane.scrollTop;
    const started = performance.now();
    body.replaceChildren(
      renderMarkdown(view.state.doc.toString(), doc, {
        isImageApproved: (url) => approvedImages.has(url),
      }),
    );
    lastRenderMs = performance.now() - started;
    // Beside the text, the text decides where the preview is; in its place, the reader does.
    if (!editorHidden()) syncPreviewScroll(view, pane);
    else if (startLine !== undefined) scrollPreviewToLine(pane, startLine);
    else pane.scrollTop = keep;
  };

  const setOpen = (next: boolean): void => {
    if (next === open) return;
    const hadFocus = next ? view.hasFocus : pane.contains(doc.activeElement);
    const editorScroll = view.scrollDOM.scrollTop;
    const startLine = editorHidden() ? undefined : topVisibleLine(view);
    open = next;
    pane.hidden = !open;
    host.classList.toggle('quire-md-previewing', open);
    button.setAttribute('aria-pressed', String(open));
    if (open) {
      // Where the preview replaces the text, it starts at the part the text was showing.
      render(startLine);
      if (editorHidden() && hadFocus) pane.focus({ preventScroll: true });
    } else {
      clearTimeout(renderTimer);
      pendingSince = 0;
      body.replaceChildren();
      view.scrollDOM.scrollTop = editorScroll;
      view.requestMeasure();
      if (hadFocus) view.focus();
    }
  };

  const onScroll = (): void => scheduleSync();
  view.scrollDOM.addEventListener('scroll', onScroll, { passive: true });
  button.addEventListener('click', () => setOpen(!open));
  const onKey = (event: KeyboardEvent): void => {
    if (event.code === 'KeyP' && event.altKey && !event.shiftKey && isModKey(event)) {
      event.preventDefault();
      setOpen(!open);
    }
  };
  options.keyTarget.addEventListener('keydown', onKey);
  pane.addEventListener('click', (event) => {
    const target = event.target as Element | null;
    const load = target?.closest<HTMLElement>('button[data-quire-image]');
    if (!load?.dataset.quireImage) return;
    // Inside a link, the click is for the image, not for following the link.
    event.preventDefault();
    approvedImages.add(load.dataset.quireImage);
    render();
    pane.focus({ preventScroll: true });
  });

  return {
    get isOpen() {
      return open;
    },
    element: pane,
    setOpen,
    update(update) {
      if (!open) return;
      if (update.docChanged) {
        const now = Date.now();
        pendingSince ||= now;
        const cost = lastRenderMs * PREVIEW_DELAY_PER_RENDER_COST;
        const delay = Math.max(PREVIEW_RENDER_DELAY_MS, cost);
        // Under continuous typing a costly render still comes, at most every few of its delays.
        const longest = Math.max(PREVIEW_MAX_RENDER_DELAY_MS, 4 * delay);
        const overdue = pendingSince + longest - now;
        clearTimeout(renderTimer);
        renderTimer = setTimeout(() => render(), Math.min(delay, overdue));
      } else if (update.geometryChanged) {
        scheduleSync();
      }
    },
    destroy() {
      clearTimeout(renderTimer);
      if (syncFrame) cancelAnimationFrame(syncFrame);
      view.scrollDOM.removeEventListener('scroll', onScroll);
      options.keyTarget.removeEventListener('keydown', onKey);
      button.remove();
      pane.remove();
      host.classList.remove('quire-md-previewing');
    },
  };
}
