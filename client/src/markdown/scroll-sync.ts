/**
 * The preview follows the editor: the source line at the top of the editor's viewport (with how
 * far into that line it is scrolled) is matched to the preview blocks' `data-line` (the source
 * line each block starts on), interpolating between a block and the next one, so the preview
 * moves smoothly through long paragraphs and code blocks instead of jumping block by block.
 */
import type { EditorView } from '@codemirror/view';
import { SOURCE_LINE_ATTR } from './render.js';

/** A preview block: the source line it starts on and its offset from the preview's top. */
export interface Anchor {
  line: number;
  top: number;
}

/** The 0-based source line at the top of the editor's viewport, plus the fraction of it that
 * is scrolled past (a wrapped line is one block several rows high). */
export function topVisibleLine(view: EditorView): number {
  const scrollerTop = view.scrollDOM.getBoundingClientRect().top;
  const height = Math.max(0, scrollerTop - view.documentTop);
  const block = view.lineBlockAtHeight(height);
  const line = view.state.doc.lineAt(block.from).number - 1;
  const within = block.height > 0 ? (height - block.top) / block.height : 0;
  return line + Math.min(1, Math.max(0, within));
}

/** Anchors in document order whose lines never go back (raw HTML in a document could carry a
 * `data-line` of its own; such strays must not send the preview elsewhere). */
export function readAnchors(container: HTMLElement): Anchor[] {
  const base = container.getBoundingClientRect().top - container.scrollTop;
  const anchors: Anchor[] = [];
  for (const element of Array.from(container.querySelectorAll(`[${SOURCE_LINE_ATTR}]`))) {
    const line = Number(element.getAttribute(SOURCE_LINE_ATTR));
    const last = anchors[anchors.length - 1];
    if (!Number.isInteger(line) || (last && line <= last.line)) continue;
    anchors.push({ line, top: element.getBoundingClientRect().top - base });
  }
  return anchors;
}

/** Where the preview's scrollTop goes for a (fractional) source line. */
export function previewOffsetFor(anchors: readonly Anchor[], line: number): number {
  let index = -1;
  for (let i = 0; i < anchors.length && (anchors[i]?.line ?? Infinity) <= line; i++) index = i;
  const at = anchors[index];
  if (!at) return 0;
  const next = anchors[index + 1];
  if (!next) return at.top;
  const fraction = Math.min(1, Math.max(0, (line - at.line) / (next.line - at.line)));
  return at.top + fraction * (next.top - at.top);
}

/** Room left above the matching block, so a heading at the top is not clipped by a pixel or
 * two of rounding between the editor's line heights and the preview's layout. */
export const PREVIEW_TOP_MARGIN_PX = 6;

/** Scrolls `preview` to match the editor's current scroll position. */
export function syncPreviewScroll(view: EditorView, preview: HTMLElement): void {
  const scroller = view.scrollDOM;
  const maxEditor = scroller.scrollHeight - scroller.clientHeight;
  const maxPreview = preview.scrollHeight - preview.clientHeight;
  // The ends match exactly: the last lines may be shorter in the preview than a screen.
  if (scroller.scrollTop <= 0) preview.scrollTop = 0;
  else if (scroller.scrollTop >= maxEditor - 1) preview.scrollTop = maxPreview;
  else scrollPreviewToLine(preview, topVisibleLine(view));
}

/** Scrolls `preview` so the block of a (fractional) source line is at its top. */
export function scrollPreviewToLine(preview: HTMLElement, line: number): void {
  const offset = previewOffsetFor(readAnchors(preview), line);
  preview.scrollTop = Math.max(0, offset - PREVIEW_TOP_MARGIN_PX);
}
