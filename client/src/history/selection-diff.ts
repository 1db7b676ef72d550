/**
 * The History panel's diff section: what changed between the selected version and the current
 * text (kept up to date while others type), or between two versions, oldest first. The diff
 * editor exists only while the panel shows one (see `close`).
 */
import type { VersionInfo } from './api.js';
import { describeDiff, mountDiffView, summarizeDiff, type DiffView } from './diff-view.js';
import type { HistoryLayout } from './layout.js';
import type { VersionTexts } from './version-texts.js';

/** Someone typing elsewhere should not redraw the diff on every keystroke. */
const LIVE_DIFF_DELAY_MS = 300;

export interface SelectionDiffOptions {
  versionText: VersionTexts;
  /** The live text. */
  currentText(): string;
  /** How a version reads in the heading ("14:05 “Draft”"). */
  named(version: VersionInfo): string;
  /** Shows a failure in the panel ('' clears it). */
  showError(text: string): void;
  /** The version to compare with the live text now, or null when the panel is closed or
   * compares two versions: read when a live update is due. */
  liveVersion(): string | null;
}

export interface SelectionDiff {
  /** Shows `selected` against `compare` (null: against the current text); no version hides the
   * section. A newer call wins over one still loading. */
  show(selected: VersionInfo | null, compare: VersionInfo | null): Promise<void>;
  /** The live text changed: redraws the diff a little later, if it compares with it. */
  currentChanged(): void;
  /** Forgets what is pending and removes the diff editor. */
  close(): void;
}

export function createSelectionDiff(
  ui: HistoryLayout,
  options: SelectionDiffOptions,
): SelectionDiff {
  const { versionText, named, showError } = options;
  // Created when a diff is first shown and destroyed on close: a hidden second CodeMirror
  // would be one more `.cm-content` (and text box) on the page while nobody looks at history.
  let diff: DiffView | null = null;
  const diffView = (): DiffView => (diff ??= mountDiffView(ui.diffHost));
  let request = 0;
  let liveTimer: ReturnType<typeof setTimeout> | undefined;

  const show = async (a: VersionInfo | null, b: VersionInfo | null): Promise<void> => {
    const mine = ++request;
    if (a === null) {
      ui.diffSection.hidden = true;
      return;
    }
    ui.diffSection.hidden = false;
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

  const currentChanged = (): void => {
    if (options.liveVersion() === null) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      const selected = options.liveVersion();
      if (selected === null) return;
      void versionText(selected)
        .then((before) => {
          const after = options.currentText();
          diff?.updateAfter(after);
          ui.summary.textContent = describeDiff(summarizeDiff(before, after));
        })
        .catch(() => undefined);
    }, LIVE_DIFF_DELAY_MS);
  };

  const close = (): void => {
    clearTimeout(liveTimer);
    request++;
    diff?.destroy();
    diff = null;
  };

  return { show, currentChanged, close };
}
