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
import { describeDiff, mountDiffView, summarizeDiff, type DiffView } from './diff-view.js';
import { formatWhen, kindLabel, type FormatOptions } from './group.js';
import { mountVersionList } from './version-list.js';
import { mountHistoryLayout } from './layout.js';

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

/** Someone typing elsewhere should not redraw the diff on every keystroke. */
const LIVE_DIFF_DELAY_MS = 300;
/** Below these sizes the panel opens over the page rather than in the editor's place. */
const OVERLAY_BELOW_WIDTH_PX = 640;
const OVERLAY_BELOW_HEIGHT_PX = 420;

function needsOverlay(container: HTMLElement): boolean {
  const view = container.ownerDocument.defaultView;
  const { width, height } = container.getBoundingClientRect();
  const narrowScreen = (view?.innerWidth ?? Infinity) < OVERLAY_BELOW_WIDTH_PX;
  return narrowScreen || width < OVERLAY_BELOW_WIDTH_PX / 2 || height < OVERLAY_BELOW_HEIGHT_PX;
}

/** How long an outcome ("Version restored …") stays visible in the toolbar. */
const ANNOUNCEMENT_MS = 15_000;

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
  // Created when a diff is first shown and destroyed on close: a hidden second CodeMirror
  // would be one more `.cm-content` (and text box) on the page while nobody looks at history.
  let diff: DiffView | null = null;
  const diffView = (): DiffView => (diff ??= mountDiffView(ui.diffHost));
  const dialog = mountConfirmDialog(ui.panel);

  let versions: VersionInfo[] = [];
  let open = false;
  let readOnly = options.readOnly;
  let busy = false;
  let request = 0;
  const texts = new Map<string, Promise<string>>();
  const versionText = (id: string): Promise<string> => {
    let text = texts.get(id);
    if (!text) {
      text = api.versionText(id);
      texts.set(id, text);
      // A failure is not remembered: the next selection asks again.
      text.catch(() => texts.delete(id));
    }
    return text;
  };
  const byId = (id: string | null) => versions.find((v) => v.id === id) ?? null;
  const when = (v: VersionInfo) => formatWhen(v.createdAt, now(), format);
  /** Time plus label or kind: two saves in one minute still read differently. */
  const named = (v: VersionInfo) =>
    `${when(v)} ${v.label ? `“${v.label}”` : `(${kindLabel(v.kind).toLowerCase()})`}`;

  let announceTimer: ReturnType<typeof setTimeout> | undefined;
  const announce = (text: string): void => {
    // Cleared first, so the same sentence twice is read out twice; cleared again later, so the
    // toolbar does not keep saying "restored" long after.
    ui.announcer.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      ui.announcer.textContent = text;
      announceTimer = setTimeout(() => (ui.announcer.textContent = ''), ANNOUNCEMENT_MS);
    }, 50);
  };
  const showError = (text: string): void => {
    ui.error.textContent = text;
    ui.error.hidden = text === '';
  };

  const updateActions = (): void => {
    const primary = byId(list.selection().primary);
    ui.viewOnlyNote.hidden = !readOnly;
    // Disabled buttons say why (a hidden note would still be read out, so only then).
    for (const control of [ui.nameButton, ui.restoreButton]) {
      if (readOnly) control.setAttribute('aria-describedby', ui.viewOnlyNote.id);
      else control.removeAttribute('aria-describedby');
    }
    ui.nameInput.disabled = readOnly;
    ui.nameButton.disabled = readOnly;
    ui.restoreButton.disabled = readOnly || primary === null;
    // While a call runs the buttons only say so: disabling them would drop the focus (to the
    // page, where Escape no longer reaches the panel). Their handlers ignore clicks meanwhile.
    for (const control of [ui.nameButton, ui.restoreButton]) {
      control.setAttribute('aria-disabled', String(busy));
    }
    ui.restoreButton.textContent = primary
      ? `Restore the version of ${when(primary)}`
      : 'Restore this version';
  };

  const fillCompareChoices = (): void => {
    const { primary, compare } = list.selection();
    const choices = [{ value: '', text: 'the current text' }];
    for (const v of versions) {
      if (v.id === primary) continue;
      choices.push({ value: v.id, text: named(v) });
    }
    ui.compareSelect.replaceChildren(
      ...choices.map(({ value, text }) => {
        const option = ui.panel.ownerDocument.createElement('option');
        option.value = value;
        option.textContent = text;
        return option;
      }),
    );
    ui.compareSelect.value = compare ?? '';
    ui.compareSelect.disabled = primary === null;
  };

  /** Shows the diff for the selection: version → current text, or older → newer version. */
  const showSelection = async (): Promise<void> => {
    const mine = ++request;
    const { primary, compare } = list.selection();
    fillCompareChoices();
    updateActions();
    const a = byId(primary);
    if (a === null) {
      ui.diffSection.hidden = true;
      return;
    }
    ui.diffSection.hidden = false;
    const b = byId(compare);
    const [older, newer] = b && b.createdAt > a.createdAt ? [a, b] : b ? [b, a] : [a, null];
    const heading = newer
      ? `Changes from ${named(older)} to ${named(newer)}`
      : `Changes since ${named(older)}`;
    ui.diffHeading.textContent = heading;
    ui.summary.textContent = 'Loading…';
    try {
      const [before, after] = await Promise.all([
        versionText(older.id),
        newer ? versionText(newer.id) : Promise.resolve(options.currentText()),
      ]);
      if (mine !== request) return;
      diffView().show(before, after, heading);
      ui.summary.textContent = describeDiff(summarizeDiff(before, after));
      showError('');
    } catch (error) {
      if (mine !== request) return;
      ui.summary.textContent = '';
      showError(error instanceof Error ? error.message : String(error));
    }
  };

  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  const offCurrent = options.onCurrentChange(() => {
    if (!open || list.selection().compare !== null || list.selection().primary === null) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      const primary = list.selection().primary;
      if (!open || list.selection().compare !== null || primary === null) return;
      void versionText(primary)
        .then((before) => {
          const after = options.currentText();
          diff?.updateAfter(after);
          ui.summary.textContent = describeDiff(summarizeDiff(before, after));
        })
        .catch(() => undefined);
    }, LIVE_DIFF_DELAY_MS);
  });

  const load = async (): Promise<void> => {
    ui.listStatus.textContent = 'Loading versions…';
    ui.listStatus.hidden = false;
    try {
      versions = await api.list();
      showError('');
    } catch (error) {
      versions = [];
      showError(error instanceof Error ? error.message : String(error));
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
    clearTimeout(liveTimer);
    request++;
    diff?.destroy();
    diff = null;
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
        announce(`Saved the current text as “${label}”.`);
        await load();
        if (id && byId(id)) list.select({ primary: id, compare: null });
        // The button was disabled while saving, which drops focus: give it to the new version.
        list.focus();
      })
      .catch((error: unknown) => showError(error instanceof Error ? error.message : String(error)))
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
        announce(`Version restored: the text is now the version of ${when(version)}.`);
        options.focusEditor();
      } catch (error) {
        showError(error instanceof Error ? error.message : String(error));
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
      clearTimeout(announceTimer);
      offCurrent();
      dialog.destroy();
      ui.remove();
    },
  };
}
