/**
 * Remote cursors and selections, and publishing our own cursor, in place of y-codemirror's
 * plugin: its caret widget compares only colors, so a renamed collaborator kept the old name on
 * their caret until a reload, and it writes the color into a style attribute as given. Here the
 * widget compares name and color, colors are validated again, and names are text nodes. Colors
 * are adjusted per theme (contrast.ts) so a dark caret stays visible on a dark editor, and labels
 * show for a moment after their person moves (caret-labels.ts) instead of always.
 */
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { RangeSetBuilder, Transaction, type Extension } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  ViewPlugin,
  WidgetType,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view';
import { yRemoteSelectionsTheme } from 'y-codemirror.next';
import { cleanUser } from './awareness-guard.js';
import { LabelActivity } from './caret-labels.js';
import { distinctDisplayNames } from './display-names.js';
import { labelTextOn, readableOn } from './contrast.js';
import { ACTIVE_CARET_CLASS, EDITOR_BACKGROUND } from './theme.js';

/** How a remote person is drawn on one theme: caret, selection and label colors. */
interface CaretLook {
  caret: string;
  selection: string;
  labelText: string;
}

function caretLook(color: string, dark: boolean): CaretLook {
  const caret = readableOn(color, EDITOR_BACKGROUND[dark ? 'dark' : 'light']);
  // A translucent tint: the text under a remote selection keeps its own (readable) color.
  return { caret, selection: `${caret}${dark ? '4d' : '33'}`, labelText: labelTextOn(caret) };
}

class CaretWidget extends WidgetType {
  constructor(
    readonly clientId: number,
    readonly look: CaretLook,
    readonly name: string,
    readonly active: boolean,
  ) {
    super();
  }

  override toDOM(view: EditorView): HTMLElement {
    const doc = view.dom.ownerDocument;
    const caret = doc.createElement('span');
    caret.className = 'cm-ySelectionCaret';
    caret.dataset.clientId = String(this.clientId);
    const dot = doc.createElement('div');
    dot.className = 'cm-ySelectionCaretDot';
    const info = doc.createElement('div');
    info.className = 'cm-ySelectionInfo';
    // Word joiners keep the caret from becoming a line-break opportunity.
    caret.append('\u2060', dot, '\u2060', info, '\u2060');
    this.updateDOM(caret);
    return caret;
  }

  /** Updates in place, so a label fades in and out (a new element would just appear). */
  override updateDOM(caret: HTMLElement): boolean {
    const info = caret.querySelector<HTMLElement>('.cm-ySelectionInfo');
    if (!info || caret.dataset.clientId !== String(this.clientId)) return false;
    caret.style.backgroundColor = this.look.caret;
    caret.style.borderColor = this.look.caret;
    info.style.color = this.look.labelText;
    if (info.textContent !== this.name) info.textContent = this.name;
    caret.classList.toggle(ACTIVE_CARET_CLASS, this.active);
    return true;
  }

  override eq(other: CaretWidget): boolean {
    return (
      other.clientId === this.clientId &&
      other.look.caret === this.look.caret &&
      other.name === this.name &&
      other.active === this.active
    );
  }

  override get estimatedHeight(): number {
    return -1;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

interface CursorJSON {
  anchor: unknown;
  head: unknown;
}

/** Everyone's label by clientID, told apart like the presence list does (display-names.ts). */
export function displayNames(awareness: Awareness): Map<number, string> {
  const people: { clientId: number; name: string }[] = [];
  awareness.getStates().forEach((state, clientId) => {
    if (state && 'user' in state) people.push({ clientId, name: cleanUser(state.user).name });
  });
  return distinctDisplayNames(people);
}

export function absoluteIndex(ytext: Y.Text, json: unknown): number | null {
  try {
    const rel = Y.createRelativePositionFromJSON(json);
    const abs = Y.createAbsolutePositionFromRelativePosition(rel, ytext.doc as Y.Doc);
    return abs !== null && abs.type === ytext ? abs.index : null;
  } catch {
    return null;
  }
}

function publishLocalCursor(update: ViewUpdate, ytext: Y.Text, awareness: Awareness): void {
  const local = awareness.getLocalState();
  if (local === null) return;
  const hasFocus = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus();
  if (!hasFocus) return;
  const sel = update.state.selection.main;
  const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor);
  const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head);
  const current = local.cursor as CursorJSON | null | undefined;
  if (
    current &&
    Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.anchor), anchor) &&
    Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.head), head)
  ) {
    return;
  }
  awareness.setLocalStateField('cursor', { anchor, head });
}

function buildDecorations(
  view: EditorView,
  ytext: Y.Text,
  awareness: Awareness,
  labels: LabelActivity,
  remoteEdits: readonly (readonly [number, number])[] = [],
): DecorationSet {
  const dark = view.state.facet(EditorView.darkTheme);
  const now = Date.now();
  // The same labels as the presence list: two "Sam"s get their suffixes here too.
  const labelOf = displayNames(awareness);
  const ranges: { from: number; to: number; deco: Decoration }[] = [];
  const length = view.state.doc.length;
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID) return;
    const cursor = state.cursor as CursorJSON | null | undefined;
    if (!cursor) return;
    const anchor = absoluteIndex(ytext, cursor.anchor);
    const head = absoluteIndex(ytext, cursor.head);
    if (anchor === null || head === null || anchor > length || head > length) return;
    // Typing leaves a Yjs cursor unchanged (it points at the character after it), so a remote
    // edit is credited to whoever's caret sits at its edge: that is the person typing.
    if (remoteEdits.some(([from, to]) => head >= from && head <= to)) labels.touch([clientId], now);
    const { color } = cleanUser(state.user);
    const name = labelOf.get(clientId) ?? cleanUser(state.user).name;
    const look = caretLook(color, dark);
    const from = Math.min(anchor, head);
    const to = Math.max(anchor, head);
    if (from < to) {
      const mark = Decoration.mark({
        class: 'cm-ySelection',
        attributes: { style: `background-color: ${look.selection}` },
      });
      ranges.push({ from, to, deco: mark });
    }
    // Outside the remote selection, so our own caret is never drawn inside it.
    const side = head - anchor > 0 ? -1 : 1;
    ranges.push({
      from: head,
      to: head,
      deco: Decoration.widget({
        widget: new CaretWidget(clientId, look, name, labels.isActive(clientId, now)),
        side,
      }),
    });
  });
  ranges.sort((a, b) => a.from - b.from || a.deco.startSide - b.deco.startSide);
  const builder = new RangeSetBuilder<Decoration>();
  for (const r of ranges) builder.add(r.from, r.to, r.deco);
  return builder.finish();
}

/** Changed ranges (in the new document) of transactions that did not come from this user. */
function remoteEditRanges(update: ViewUpdate): [number, number][] {
  let ranges: [number, number][] = [];
  for (const tr of update.transactions) {
    if (!tr.docChanged) continue;
    // Earlier ranges move with the later changes of the same update.
    ranges = ranges.map(([from, to]) => [tr.changes.mapPos(from, -1), tr.changes.mapPos(to, 1)]);
    if (tr.annotation(Transaction.userEvent) !== undefined) continue;
    tr.changes.iterChangedRanges((_fromA, _toA, fromB, toB) => ranges.push([fromB, toB]), true);
  }
  return ranges;
}

export function remoteCarets(ytext: Y.Text, awareness: Awareness): Extension {
  const plugin = ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      private destroyed = false;
      private readonly labels = new LabelActivity(() => this.refresh());
      private readonly onChange: (change: {
        added: number[];
        updated: number[];
        removed: number[];
      }) => void;

      constructor(readonly view: EditorView) {
        this.decorations = buildDecorations(view, ytext, awareness, this.labels);
        this.onChange = ({ added, updated, removed }) => {
          const remote = [...added, ...updated, ...removed].some((id) => id !== awareness.clientID);
          // A changed state is a moved cursor or an edit (typing moves the cursor too).
          this.labels.touch([...added, ...updated].filter((id) => id !== awareness.clientID));
          this.labels.forget(removed);
          // A microtask, not a direct dispatch: a change can arrive while a view update runs.
          if (remote) queueMicrotask(() => this.refresh());
        };
        awareness.on('change', this.onChange);
      }

      refresh(): void {
        // An empty transaction runs update(), which rebuilds the decorations.
        if (!this.destroyed) this.view.dispatch({});
      }

      update(update: ViewUpdate): void {
        publishLocalCursor(update, ytext, awareness);
        this.decorations = buildDecorations(
          update.view,
          ytext,
          awareness,
          this.labels,
          remoteEditRanges(update),
        );
      }

      destroy(): void {
        this.destroyed = true;
        this.labels.destroy();
        awareness.off('change', this.onChange);
      }
    },
    { decorations: (v) => v.decorations },
  );
  return [yRemoteSelectionsTheme, plugin];
}
