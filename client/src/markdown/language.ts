/**
 * Markdown syntax in the editor: GitHub-flavoured Markdown from @codemirror/lang-markdown, with
 * fenced code blocks parsed in the language their info string names. The languages come from
 * @codemirror/language-data, which imports each one on first use: the bundles keep them in
 * chunks of their own, fetched (from the same server) only when a document has such a block.
 * Pasting a URL over selected text makes it a link. The colors are the editor theme's
 * highlight style (theme.ts), in light and dark.
 */
import {
  deleteMarkupBackward,
  insertNewlineContinueMarkupCommand,
  markdown,
  markdownLanguage,
} from '@codemirror/lang-markdown';
import { languages } from '@codemirror/language-data';
import { Prec, type Extension } from '@codemirror/state';
import { keymap, type KeyBinding } from '@codemirror/view';

/**
 * Enter continues a list or quote; in an empty item it ends the list (lang-markdown's default
 * would first turn a tight list loose, which surprises people used to other editors). Backspace
 * right after a list marker or quote mark removes it. Outside Markdown context (inside a code
 * block) both fall through to the ordinary commands.
 */
export const listKeymap: readonly KeyBinding[] = [
  { key: 'Enter', run: insertNewlineContinueMarkupCommand({ nonTightLists: false }) },
  { key: 'Backspace', run: deleteMarkupBackward },
];

export function markdownLanguageSupport(): Extension {
  return [
    markdown({
      base: markdownLanguage,
      codeLanguages: languages,
      addKeymap: false,
      // No autocompletion is installed; this would only pull in completion sources.
      completeHTMLTags: false,
    }),
    Prec.high(keymap.of(listKeymap)),
  ];
}
