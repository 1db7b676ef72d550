/**
 * The document page follows its document:
 * - the browser tab shows its title (the first Markdown heading, else the first non-empty
 *   line: titleOfText, the same rule the server lists titles by), the name when it has none;
 * - when the document is renamed (the server closes the session with 4410 and the reason
 *   "renamed to <new name>"), the page moves to the new name's URL, keeping its query (token,
 *   view), so the person goes on editing there. A rename whose new name did not fit in the
 *   close reason reads as a deletion: the editor says so. Instances sharing a store tell their
 *   sessions the new name too, within their deleted-room sweep.
 */
import { CloseCode, renamedTarget, titleOfText } from '@quire/shared';
import type { QuireEditor } from '../editor.js';
import { docHref } from './routes.js';

/** Recomputing the tab title at most this often while typing. */
const TITLE_REFRESH_MS = 300;

export function followDocument(editor: QuireEditor, docName: string): void {
  const text = editor.ydoc.getText('codemirror');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    timer = undefined;
    document.title = `${titleOfText(text.toString()) ?? docName} · Quire`;
  };
  refresh();
  text.observe(() => {
    timer ??= setTimeout(refresh, TITLE_REFRESH_MS);
  });
  editor.provider.on('connection-close', (event: CloseEvent | null) => {
    if (!event || event.code !== CloseCode.Gone) return;
    const to = renamedTarget(event.reason);
    if (to === null) return;
    location.replace(`${docHref(to)}${location.search}`);
  });
}
