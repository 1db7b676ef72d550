/**
 * Markdown to preview DOM: markdown-it (CommonMark with GFM tables, strikethrough and bare-URL
 * links; raw HTML allowed, because the sanitizer decides what of it survives), then
 * sanitize.ts. Every block carries `data-line`, the 0-based source line it starts on (from
 * markdown-it's token `map`), which is how the preview follows the editor's scroll position.
 */
import MarkdownIt, { type MarkdownIt as MarkdownParser } from 'markdown-it';
import { sanitizePreviewHtml, type SanitizeOptions } from './sanitize.js';

/** The attribute that maps a preview block to the source line it starts on. */
export const SOURCE_LINE_ATTR = 'data-line';

let parser: MarkdownParser | null = null;

function markdownParser(): MarkdownParser {
  if (parser) return parser;
  parser = new MarkdownIt({ html: true, linkify: true, typographer: false });
  parser.core.ruler.push('quire_source_lines', (state) => {
    for (const token of state.tokens) {
      // Opening and self-contained block tokens; inline tokens render no attributes.
      if (token.map && token.block && token.nesting !== -1 && token.type !== 'inline') {
        token.attrSet(SOURCE_LINE_ATTR, String(token.map[0]));
      }
    }
  });
  return parser;
}

/** The (unsanitized) HTML markdown-it makes of `source`. */
export function markdownToHtml(source: string): string {
  return markdownParser().render(source);
}

/** The preview of `source`, sanitized, as nodes of `doc`. */
export function renderMarkdown(
  source: string,
  doc: Document,
  options: SanitizeOptions = {},
): DocumentFragment {
  return sanitizePreviewHtml(markdownToHtml(source), doc, options);
}
