/**
 * What the History panel's controls show for the current selection and permissions: the writing
 * actions (enabled, busy, and why not), the "compare with" choices, and whether the panel opens
 * over the page. panel.ts calls these whenever the state they read changes.
 */
import type { VersionInfo } from './api.js';
import type { HistoryLayout } from './layout.js';

/** Below these sizes the panel opens over the page rather than in the editor's place. */
const OVERLAY_BELOW_WIDTH_PX = 640;
const OVERLAY_BELOW_HEIGHT_PX = 420;

export function needsOverlay(container: HTMLElement): boolean {
  const view = container.ownerDocument.defaultView;
  const { width, height } = container.getBoundingClientRect();
  const narrowScreen = (view?.innerWidth ?? Infinity) < OVERLAY_BELOW_WIDTH_PX;
  return narrowScreen || width < OVERLAY_BELOW_WIDTH_PX / 2 || height < OVERLAY_BELOW_HEIGHT_PX;
}

export interface ActionState {
  /** A viewer: the writing actions are disabled, with the view-only note as their reason. */
  readOnly: boolean;
  /** A save or restore is running. */
  busy: boolean;
  /** How the selected version reads in the Restore button ("14:05"), or null for none. */
  selectedWhen: string | null;
}

export function renderActions(ui: HistoryLayout, state: ActionState): void {
  const { readOnly, busy, selectedWhen } = state;
  ui.viewOnlyNote.hidden = !readOnly;
  // Disabled buttons say why (a hidden note would still be read out, so only then).
  for (const control of [ui.nameButton, ui.restoreButton]) {
    if (readOnly) control.setAttribute('aria-describedby', ui.viewOnlyNote.id);
    else control.removeAttribute('aria-describedby');
  }
  ui.nameInput.disabled = readOnly;
  ui.nameButton.disabled = readOnly;
  ui.restoreButton.disabled = readOnly || selectedWhen === null;
  // While a call runs the buttons only say so: disabling them would drop the focus (to the
  // page, where Escape no longer reaches the panel). Their handlers ignore clicks meanwhile.
  for (const control of [ui.nameButton, ui.restoreButton]) {
    control.setAttribute('aria-disabled', String(busy));
  }
  ui.restoreButton.textContent =
    selectedWhen !== null ? `Restore the version of ${selectedWhen}` : 'Restore this version';
}

/** Fills "compare with": the current text, then every version but the selected one, each
 * named by `named`; `compare` (a version id, or null for the current text) is chosen. */
export function fillCompareChoices(
  ui: HistoryLayout,
  versions: readonly VersionInfo[],
  selection: { primary: string | null; compare: string | null },
  named: (version: VersionInfo) => string,
): void {
  const { primary, compare } = selection;
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
}
