/**
 * What the editor's mode adds, in two parts: CodeMirror extensions for the editor state (search
 * in every mode; Markdown syntax, formatting shortcuts and the preview feed in "markdown"), and
 * the DOM around it once the view exists (the Preview toggle and pane, the shortcut list).
 */
import { Prec, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { search, searchKeymap } from '@codemirror/search';
import { formattingKeymap, undoBoundary } from './format-commands.js';
import { markdownLanguageSupport } from './language.js';
import { mountFormatButtons } from './format-buttons.js';
import { mountPreview, type MarkdownPreview } from './preview.js';
import { mountShortcutHelp, type ShortcutHelp } from './shortcut-help.js';
import { searchPanelTheme } from './styles.js';
import type { EditorMode } from './mode.js';

export interface ModeFeaturesOptions {
  mode: EditorMode;
  /** The collaborative undo history: formatting edits are undo steps of their own. */
  undoManager: { stopCapturing(): void };
}

export interface ModeChrome {
  root: HTMLElement;
  editorHost: HTMLElement;
  tools: HTMLElement;
}

export interface MountedModeFeatures {
  /** The live preview, or null in "plain" mode. */
  preview: MarkdownPreview | null;
  help: ShortcutHelp;
  destroy(): void;
}

export interface ModeFeatures {
  extensions: Extension;
  mount(view: EditorView, chrome: ModeChrome): MountedModeFeatures;
}

export function modeFeatures(options: ModeFeaturesOptions): ModeFeatures {
  const markdown = options.mode === 'markdown';
  let preview: MarkdownPreview | null = null;
  const extensions: Extension[] = [
    search({ top: true }),
    keymap.of(searchKeymap),
    searchPanelTheme,
  ];
  if (markdown) {
    extensions.push(
      markdownLanguageSupport(),
      // Ahead of CodeMirror's default keymap, whose Mod-i selects the syntax parent.
      Prec.high(keymap.of(formattingKeymap)),
      undoBoundary.of(() => options.undoManager.stopCapturing()),
      EditorView.updateListener.of((update) => preview?.update(update)),
    );
  }
  return {
    extensions,
    mount(view, chrome) {
      preview = markdown
        ? mountPreview({
            view,
            host: chrome.editorHost,
            toolbar: chrome.tools,
            keyTarget: chrome.root,
          })
        : null;
      const help = mountShortcutHelp({
        toolbar: chrome.tools,
        container: chrome.root,
        mode: options.mode,
      });
      const removeButtons = markdown ? mountFormatButtons(view, chrome.tools) : null;
      const mounted = preview;
      return {
        preview: mounted,
        help,
        destroy() {
          removeButtons?.();
          mounted?.destroy();
          help.destroy();
          preview = null;
        },
      };
    },
  };
}
