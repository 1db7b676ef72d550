/**
 * Remote cursors and selections, and publishing our own cursor, in place of y-codemirror's
 * plugin: its caret widget compares only colors, so a renamed collaborator kept the old name on
 * their caret until a reload, and it writes the color into a style attribute as given. Here the
 * widget compares name and color, colors are validated again, and names are text nodes.
 */
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { RangeSetBuilder, type Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import {
  Decoration,
  ViewPlugin,
  WidgetType,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view';
import { yRemoteSelectionsTheme } from 'y-codemirror.next';
import { cleanUser } from './awareness-guard.js';

class CaretWidget extends WidgetType {
  constructor(
    readonly color: string,
    readonly name: string,
  ) {
    super();
  }

  override toDOM(view: EditorView): HTMLElement {
    const doc = view.dom.ownerDocument;
    const caret = doc.createElement('span');
    caret.className = 'cm-ySelectionCaret';
    caret.style.backgroundColor = this.color;
    caret.style.borderColor = this.color;
    const dot = doc.createElement('div');
    dot.className = 'cm-ySelectionCaretDot';
    const info = doc.createElement('div');
    info.className = 'cm-ySelectionInfo';
    info.textContent = this.name;
    // Word joiners keep the caret from becoming a line-break opportunity.
    caret.append('\u2060', dot, '\u2060', info, '\u2060');
    return caret;
  }

  override eq(other: CaretWidget): boolean {
    return other.color === this.color && other.name === this.name;
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

function absoluteIndex(ytext: Y.Text, json: unknown): number | null {
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

function buildDecorations(view: EditorView, ytext: Y.Text, awareness: Awareness): DecorationSet {
  const ranges: { from: number; to: number; deco: Decoration }[] = [];
  const length = view.state.doc.length;
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID) return;
    const cursor = state.cursor as CursorJSON | null | undefined;
    if (!cursor) return;
    const anchor = absoluteIndex(ytext, cursor.anchor);
    const head = absoluteIndex(ytext, cursor.head);
    if (anchor === null || head === null || anchor > length || head > length) return;
    const { name, color, colorLight } = cleanUser(state.user);
    const from = Math.min(anchor, head);
    const to = Math.max(anchor, head);
    if (from < to) {
      const mark = Decoration.mark({
        class: 'cm-ySelection',
        attributes: { style: `background-color: ${colorLight}` },
      });
      ranges.push({ from, to, deco: mark });
    }
    // Outside the remote selection, so our own caret is never drawn inside it.
    const side = head - anchor > 0 ? -1 : 1;
    ranges.push({
      from: head,
      to: head,
      deco: Decoration.widget({ widget: new CaretWidget(color, name), side }),
    });
  });
  ranges.sort((a, b) => a.from - b.from || a.deco.startSide - b.deco.startSide);
  const builder = new RangeSetBuilder<Decoration>();
  for (const r of ranges) builder.add(r.from, r.to, r.deco);
  return builder.finish();
}

export function remoteCarets(ytext: Y.Text, awareness: Awareness): Extension {
  const plugin = ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      private destroyed = false;
      private readonly onChange: (change: {
        added: number[];
        updated: number[];
        removed: number[];
      }) => void;

      constructor(readonly view: EditorView) {
        this.decorations = buildDecorations(view, ytext, awareness);
        this.onChange = ({ added, updated, removed }) => {
          const remote = [...added, ...updated, ...removed].some((id) => id !== awareness.clientID);
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
        this.decorations = buildDecorations(update.view, ytext, awareness);
      }

      destroy(): void {
        this.destroyed = true;
        awareness.off('change', this.onChange);
      }
    },
    { decorations: (v) => v.decorations },
  );
  return [yRemoteSelectionsTheme, plugin];
}
