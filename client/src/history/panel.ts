/**
 * The History panel: opened from the toolbar, it takes the editor's place and shows the
 * document's versions by day, the changes between the selected version and the current text
 * (or a second version), "Restore" behind a confirmation, and "Name this version". Viewers can
 * browse and compare; the writing actions are disabled with the reason next to them. Escape
 * closes the panel and focus goes back to the History button; outcomes are announced in a live
 * region that stays in the toolbar, so "Version restored" is heard after the panel has closed.
 */
import { createHistoryApi, type HistoryApi, type VersionInfo } from './api.js';
import { mountConfirmDialog } from './confirm-dialog.js';
import { formatWhen, kindLabel, type FormatOptions } from './group.js';
import { mountVersionList } from './version-list.js';
import { mountHistoryLayout } from './layout.js';
import { createAnnouncer } from './announcer.js';
import { createVersionTexts } from './version-texts.js';
import { createSelectionDiff } from './selection-diff.js';
import { fillCompareChoices, needsOverlay, renderActions } from './panel-controls.js';

export interface HistoryPanelOptions {
  /** Where the History button and the announcer go (the editor's toolbar). */
  toolbar: HTMLElement;
  /** The panel is appended here, after the editor it replaces while open. */
  container: HTMLElement;
  /** Called with true while the panel is open, so the editor can make way. */
  onToggle(open: boolean): void;
  serverUrl: string;
  docName: string;
  token?: string;
  readOnly: boolean;
  /** The live text, compared with the selected version. */
  currentText(): string;
  /** Subscribes to changes of the live text; returns the unsubscribe. */
  onCurrentChange(listener: () => void): () => void;
  /** Where focus goes after a restore (the editor). */
  focusEditor(): void;
  api?: HistoryApi;
  format?: FormatOptions;
  now?: () => number;
}

export interface HistoryPanel {
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): void;
  setReadOnly(readOnly: boolean): void;
  destroy(): void;
}

/** What a failed call shows in the panel. */
const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function mountHistoryPanel(options: HistoryPanelOptions): HistoryPanel {
  const api =
    options.api ??
    createHistoryApi({
      serverUrl: options.serverUrl,
      docName: options.docName,
      token: options.token,
    });
  const now = options.now ?? Date.now;
  const format = options.format ?? {};
  const ui = mountHistoryLayout(options.toolbar, options.container);
  const list = mountVersionList(ui.listHost, format);
  list.element.setAttribute('aria-describedby', ui.hint.id);
  const dialog = mountConfirmDialog(ui.panel);

  let versions: VersionInfo[] = [];
  let open = false;
  let readOnly = options.readOnly;
  let busy = false;
  const versionText = createVersionTexts(api);
  const byId = (id: string | null) => versions.find((v) => v.id === id) ?? null;
  const when = (v: VersionInfo) => formatWhen(v.createdAt, now(), format);
  /** Time plus label or kind: two saves in one minute still read differently. */
  const named = (v: VersionInfo) =>
    `${when(v)} ${v.label ? `“${v.label}”` : `(${kindLabel(v.kind).toLowerCase()})`}`;

  const announcer = createAnnouncer(ui.announcer);
  const showError = (text: string): void => {
    ui.error.textContent = text;
    ui.error.hidden = text === '';
  };

  const updateActions = (): void => {
    const primary = byId(list.selection().primary);
    renderActions(ui, { readOnly, busy, selectedWhen: primary ? when(primary) : null });
  };

  const diff = createSelectionDiff(ui, {
    versionText,
    currentText: options.currentText,
    named,
    showError,
    liveVersion: () =>
      open && list.selection().compare === null ? list.selection().primary : null,
  });
  const offCurrent = options.onCurrentChange(() => diff.currentChanged());

  /** Shows the selection: its actions, what it may be compared with, and its diff. */
  const showSelection = (): Promise<void> => {
    const selection = list.selection();
    fillCompareChoices(ui, versions, selection, named);
    updateActions();
    return diff.show(byId(selection.primary), byId(selection.compare));
  };

  const load = async (): Promise<void> => {
    ui.listStatus.textContent = 'Loading versions…';
    ui.listStatus.hidden = false;
    try {
      versions = await api.list();
      showError('');
    } catch (error) {
      versions = [];
      showError(errorText(error));
    }
    list.render(versions, now());
    ui.listStatus.textContent =
      versions.length === 0
        ? 'No versions yet. One is saved after a pause in editing, when everyone leaves, and ' +
          'whenever you name one.'
        : '';
    ui.listStatus.hidden = versions.length > 0;
    if (list.selection().primary === null && versions[0]) {
      list.select({ primary: versions[0].id, compare: null });
    }
    await showSelection();
  };

  list.onSelect(() => void showSelection());
  ui.compareSelect.addEventListener('change', () => {
    list.select({ primary: list.selection().primary, compare: ui.compareSelect.value || null });
  });

  const close = (): void => {
    if (!open) return;
    open = false;
    diff.close();
    ui.panel.hidden = true;
    ui.toggle.setAttribute('aria-expanded', 'false');
    options.onToggle(false);
  };

  const openPanel = async (): Promise<void> => {
    if (!open) {
      open = true;
      ui.panel.classList.toggle('quire-history-overlay', needsOverlay(options.container));
      ui.panel.hidden = false;
      ui.toggle.setAttribute('aria-expanded', 'true');
      options.onToggle(true);
      list.focus();
    }
    await load();
  };

  ui.toggle.addEventListener('click', () => {
    if (open) {
      close();
      ui.toggle.focus();
    } else void openPanel();
  });
  ui.closeButton.addEventListener('click', () => {
    close();
    ui.toggle.focus();
  });
  ui.panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    close();
    ui.toggle.focus();
  });

  ui.nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (readOnly || busy) return;
    const label = ui.nameInput.value.trim();
    if (label === '') {
      showError('Give the version a name first.');
      ui.nameInput.focus();
      return;
    }
    busy = true;
    updateActions();
    api
      .save(label)
      .then(async (id) => {
        ui.nameInput.value = '';
        announcer.say(`Saved the current text as “${label}”.`);
        await load();
        if (id && byId(id)) list.select({ primary: id, compare: null });
        // The button was disabled while saving, which drops focus: give it to the new version.
        list.focus();
      })
      .catch((error: unknown) => showError(errorText(error)))
      .finally(() => {
        busy = false;
        updateActions();
      });
  });

  ui.restoreButton.addEventListener('click', () => {
    const version = byId(list.selection().primary);
    if (readOnly || busy || version === null) return;
    void (async () => {
      const yes = await dialog.ask({
        title: 'Restore this version?',
        message:
          `The text becomes the version of ${when(version)} for everyone editing. The current ` +
          'text is saved as a version first, so this can be undone by restoring that one.',
        confirmLabel: 'Restore',
      });
      if (!yes) return;
      busy = true;
      updateActions();
      try {
        await api.restore(version.id);
        close();
        announcer.say(`Version restored: the text is now the version of ${when(version)}.`);
        options.focusEditor();
      } catch (error) {
        showError(errorText(error));
        ui.restoreButton.focus();
      } finally {
        busy = false;
        updateActions();
      }
    })();
  });

  updateActions();
  return {
    get isOpen() {
      return open;
    },
    open: openPanel,
    close,
    setReadOnly(next) {
      readOnly = next;
      updateActions();
    },
    destroy() {
      close();
      announcer.stop();
      offCurrent();
      dialog.destroy();
      ui.remove();
    },
  };
}
