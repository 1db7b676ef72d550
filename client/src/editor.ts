/**
 * createEditor: one collaborative CodeMirror 6 editor bound to one Quire document, with a
 * status indicator and a presence list above it.
 */
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { Awareness } from 'y-protocols/awareness';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightSpecialChars,
  keymap,
  placeholder,
} from '@codemirror/view';
import { defaultKeymap } from '@codemirror/commands';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import { canonicalDocName } from '@quire/shared';
import { createConnection } from './connection.js';
import { attachOfflineStore, type OfflineStore } from './offline.js';
import { trackPresence } from './presence.js';
import { computeStatus, type StatusView } from './status.js';
import { ensureStyles } from './styles.js';
import { editorTheme } from './theme.js';
import { watchColorScheme, type ThemeSetting } from './color-scheme.js';
import { mountFollow } from './follow.js';
import { mountChrome } from './chrome.js';
import { mountHistoryPanel, type HistoryPanel } from './history/panel.js';
import { remoteCarets } from './remote-carets.js';
import { readTokenHints } from './token-hints.js';
import { resolveUser, type UserIdentity } from './user.js';
import type { BackoffOptions } from './backoff.js';
import { modeFeatures } from './markdown/setup.js';
import type { MarkdownPreview } from './markdown/preview.js';
import { DEFAULT_EDITOR_MODE, type EditorMode } from './markdown/mode.js';

/** The Y.Text every Quire client edits (the name y-codemirror's examples use). */
export const TEXT_NAME = 'codemirror';

export interface CreateEditorOptions {
  /** Element the editor is appended to. */
  parent: HTMLElement;
  /** `ws(s)://host:port` or `http(s)://…` of the Quire server. */
  serverUrl: string;
  /** Document name: 1–8 `/`-separated segments of letters, digits, `.`, `_`, `-`. */
  doc: string;
  /** Access token (sent as the `token` URL parameter). */
  token?: string;
  /** Shown to others on your cursor and in the presence list. Default: a guest name/color. */
  user?: Partial<UserIdentity>;
  /** Keep edits in IndexedDB so they survive a closed tab while offline. Default true. */
  offline?: boolean;
  /** A view that updates live but cannot be edited. Default: true for a `ro` token, else false. */
  readOnly?: boolean;
  /** After this long without activity a person is faded in the presence list. Default 60 s. */
  idleAfterMs?: number;
  /** Reconnect backoff bounds. Default 250 ms doubling up to 5 s, jittered. */
  backoff?: BackoffOptions;
  /** A History button in the toolbar: browse, compare, name and restore versions (through the
   * server's `/api/docs/<name>/versions` routes). Viewers can browse only. Default true. */
  history?: boolean;
  /** 'markdown' (the default): Markdown highlighting, formatting shortcuts (Mod-b/i/k), list
   * continuation and a live preview; 'plain': a plain-text editor. Both have find (Mod-f). */
  mode?: EditorMode;
  /** 'light', 'dark', or 'auto' to follow the system's prefers-color-scheme. Default 'auto'. */
  theme?: ThemeSetting;
}

export interface QuireEditor {
  view: EditorView;
  ydoc: Y.Doc;
  provider: WebsocketProvider;
  awareness: Awareness;
  /** The History panel (open, close), or null with `history: false`. */
  history: HistoryPanel | null;
  /** The mode the editor was created with. */
  mode: EditorMode;
  /** The Markdown preview (open, close), or null in 'plain' mode. */
  preview: MarkdownPreview | null;
  /** Resolves once offline edits (if any) are loaded and the connection has started. */
  ready: Promise<void>;
  status(): StatusView;
  onStatus(listener: (status: StatusView) => void): () => void;
  setUser(user: Partial<UserIdentity>): void;
  /** Switches between light, dark and following the system, live. */
  setTheme(theme: ThemeSetting): void;
  destroy(): void;
}

export function createEditor(options: CreateEditorOptions): QuireEditor {
  const docName = canonicalDocName(options.doc);
  const ydoc = new Y.Doc();
  const ytext = ydoc.getText(TEXT_NAME);
  const useOffline = options.offline ?? true;
  const store: OfflineStore | null = useOffline
    ? attachOfflineStore(ydoc, options.serverUrl, docName)
    : null;
  const connection = createConnection({
    serverUrl: options.serverUrl,
    docName,
    ydoc,
    token: options.token,
    backoff: options.backoff,
    // Kept with the offline copy, so a rollback is noticed after a reload too.
    onAcknowledged: store ? (sv) => store.saveAcknowledged(sv) : undefined,
  });
  const { provider, awareness } = connection;

  const hints = readTokenHints(options.token);
  let user = resolveUser(
    { ...options.user, name: options.user?.name ?? hints.name },
    ydoc.clientID,
  );
  awareness.setLocalStateField('user', { ...user, colorLight: `${user.color}33` });

  ensureStyles(options.parent.getRootNode());
  const chrome = mountChrome(options.parent, docName);
  const readOnly = new Compartment();
  const readOnlyExtension = (ro: boolean): Extension => [
    EditorState.readOnly.of(ro),
    EditorView.editable.of(!ro),
    // An empty view-only document must not invite typing.
    placeholder(ro ? 'Nothing written yet.' : 'Start typing…'),
  ];
  let isReadOnly = options.readOnly ?? hints.mode === 'ro';
  chrome.setReadOnly(isReadOnly);
  const theme = new Compartment();
  const colorScheme = watchColorScheme(options.theme ?? 'auto', (scheme) => {
    chrome.root.dataset.theme = scheme;
    view.dispatch({ effects: theme.reconfigure(editorTheme(scheme)) });
  });
  chrome.root.dataset.theme = colorScheme.scheme();

  const mode = options.mode ?? DEFAULT_EDITOR_MODE;
  const undoManager = new Y.UndoManager(ytext);
  const features = modeFeatures({ mode, undoManager });
  const view = new EditorView({
    parent: chrome.editorHost,
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
        drawSelection(),
        highlightSpecialChars(),
        EditorView.lineWrapping,
        readOnly.of(readOnlyExtension(isReadOnly)),
        // Tracks only this editor's own changes: undo never reverts someone else's typing.
        // No awareness here: remoteCarets draws cursors (with names that update on rename).
        yCollab(ytext, null, { undoManager }),
        remoteCarets(ytext, awareness),
        theme.of(editorTheme(colorScheme.scheme())),
        EditorView.contentAttributes.of({ 'aria-label': `Document ${docName}` }),
        features.extensions,
      ],
    }),
  });

  const history: HistoryPanel | null =
    (options.history ?? true)
      ? mountHistoryPanel({
          toolbar: chrome.tools,
          container: chrome.root,
          onToggle(open) {
            // The panel takes the editor's place while open (its diff shows the live text).
            chrome.root.classList.toggle('quire-history-open', open);
            if (!open) view.requestMeasure();
          },
          serverUrl: options.serverUrl,
          docName,
          token: options.token,
          readOnly: isReadOnly,
          currentText: () => ytext.toString(),
          onCurrentChange(listener) {
            ytext.observe(listener);
            return () => ytext.unobserve(listener);
          },
          focusEditor: () => view.focus(),
        })
      : null;

  const modeUi = features.mount(view, chrome);
  const presence = trackPresence(awareness, chrome.presenceList, options.idleAfterMs);
  const follow = mountFollow({
    view,
    ytext,
    awareness,
    presenceList: chrome.presenceList,
    root: chrome.root,
    before: chrome.editorHost,
  });
  const statusListeners = new Set<(status: StatusView) => void>();
  let current: StatusView = { status: 'connecting', label: 'Connecting…' };
  let scheduled = false;
  let rollbackNoticeShown = false;
  const refresh = (): void => {
    scheduled = false;
    const state = connection.state();
    if ((state.denied !== null || state.fatal !== null) && !isReadOnly) {
      // The server refused our writes (a view-only link) or closed for good (an expired token,
      // a link for another document): typing could never reach anyone, so stop accepting it at
      // once. Whatever was typed before stays in the offline store for the next session.
      isReadOnly = true;
      view.dispatch({ effects: readOnly.reconfigure(readOnlyExtension(true)) });
      chrome.setReadOnly(true);
      history?.setReadOnly(true);
    }
    if (state.rollbackRepaired !== null && !rollbackNoticeShown) {
      rollbackNoticeShown = true;
      chrome.showNotice(
        'The server had lost recent changes to this document (its storage was reset or restored ' +
          'from an old backup). This editor still had them and has sent them back; the server ' +
          'has logged the loss for its operators.',
      );
    }
    const next = computeStatus({
      ...state,
      local: Y.encodeStateVector(ydoc),
      readOnly: isReadOnly,
      offlineStore: store?.isAvailable() ?? false,
    });
    if (next.status === current.status && next.label === current.label) return;
    current = next;
    chrome.setStatus(next);
    statusListeners.forEach((l) => l(next));
  };
  // Coalesce bursts (each keystroke is an update) into one status computation.
  const scheduleRefresh = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(refresh);
  };
  chrome.setStatus(current);
  const offChange = connection.onChange(scheduleRefresh);
  ydoc.on('update', scheduleRefresh);

  let destroyed = false;
  const ready = (store?.whenLoaded ?? Promise.resolve())
    .then(() => store?.loadAcknowledged() ?? null)
    .then((acknowledged) => {
      if (acknowledged) connection.rememberAcknowledged(acknowledged);
      // Connect after offline edits are loaded, so the first sync already carries them.
      if (!destroyed) connection.connect();
    });

  return {
    view,
    ydoc,
    provider,
    awareness,
    history,
    mode,
    preview: modeUi.preview,
    ready,
    status: () => current,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    setUser(next) {
      user = resolveUser({ ...user, ...next }, ydoc.clientID);
      awareness.setLocalStateField('user', { ...user, colorLight: `${user.color}33` });
    },
    setTheme: (setting) => colorScheme.set(setting),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      offChange();
      ydoc.off('update', scheduleRefresh);
      presence.destroy();
      follow.destroy();
      colorScheme.destroy();
      connection.destroy();
      store?.destroy();
      history?.destroy();
      modeUi.destroy();
      view.destroy();
      chrome.remove();
      ydoc.destroy();
    },
  };
}
