/**
 * A document's title, as the document list and the browser tab show it: the text of its first
 * Markdown ATX heading (`# Plan`, `## Notes`…; any level, outside fenced code blocks), or, when
 * it has none, its first non-empty line. Only the start of the text is read (TITLE_SCAN_CHARS),
 * so the cost does not grow with the document: a heading further down does not count.
 *
 * The result is one line of at most TITLE_MAX_CHARS characters (longer ones are cut with "…"),
 * or null for a document without any text there. The server keeps it in the store for the list
 * (server/src/documents/document-titles.ts); the editor page computes the same for its tab.
 */
/** How much of the start of a document is searched for its title. */
export const TITLE_SCAN_CHARS = 16 * 1024;
/** Longest title kept; the list shows one line. */
export const TITLE_MAX_CHARS = 120;

const HEADING = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function titleOfText(text: string): string | null {
  const lines = text.slice(0, TITLE_SCAN_CHARS).split(/\r\n|\r|\n/);
  // A line cut by the scan limit could be half a heading: it still counts as a line.
  let firstLine: string | null = null;
  let fence: string | null = null;
  for (const line of lines) {
    const opens = FENCE.exec(line);
    if (fence !== null) {
      if (opens && opens[1]!.startsWith(fence)) fence = null;
      continue;
    }
    if (opens) {
      fence = opens[1]!;
      continue;
    }
    const heading = HEADING.exec(line);
    const headingText = heading?.[1]?.trim();
    if (headingText) return clip(headingText);
    if (firstLine === null && line.trim() !== '' && !heading) firstLine = line.trim();
  }
  return firstLine === null ? null : clip(firstLine);
}

function clip(title: string): string {
  const chars = [...title.replace(/\s+/g, ' ')];
  return chars.length <= TITLE_MAX_CHARS
    ? chars.join('')
    : `${chars.slice(0, TITLE_MAX_CHARS - 1).join('')}…`;
}
