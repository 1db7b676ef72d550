/**
 * `<quire-editor server="ws://…" doc="…" token="…" user-name="…" user-color="#rrggbb"
 * read-only offline="false" history="off" theme="auto|light|dark">`: the editor as a custom
 * element, in its own shadow root so the host page's CSS neither breaks it nor is affected by it.
 * `theme` "auto" (the default) follows the system's prefers-color-scheme.
 */
import { isValidDocName } from '@quire/shared';
import { createEditor, type QuireEditor } from './editor.js';
import { ensureStyles } from './styles.js';
import { parseEditorMode } from './markdown/mode.js';
import { parseThemeSetting } from './color-scheme.js';

export const QUIRE_EDITOR_TAG = 'quire-editor';

/** Attributes that need a new connection when they change; user-* are applied live. */
/** `mode`: "markdown" (the default, as for createEditor) or "plain" for a plain-text editor. */
const CONNECTION_ATTRIBUTES = ['server', 'doc', 'token', 'read-only', 'offline', 'history', 'mode'];
const USER_ATTRIBUTES = ['user-name', 'user-color'];
/** Applied live too: "light", "dark", or "auto" (the default) to follow prefers-color-scheme. */
const THEME_ATTRIBUTE = 'theme';

const HOST_CSS =
  ':host { display: block; min-height: 12rem; } .quire-error { color: #a40e26; }' +
  '@media (prefers-color-scheme: dark) { :host(:not([theme="light"])) .quire-error { color: #ff7b72; } }' +
  ':host([theme="dark"]) .quire-error { color: #ff7b72; }';

/** The page's own server when no `server` attribute is given (the demo app's case). */
function defaultServerUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

export interface QuireEditorElement extends HTMLElement {
  /** The running editor, or null while disconnected from the page or misconfigured. */
  readonly editor: QuireEditor | null;
}

/** Registers the element (idempotent); returns its class. */
export function defineQuireEditor(tag = QUIRE_EDITOR_TAG): CustomElementConstructor {
  const existing = customElements.get(tag);
  if (existing) return existing;

  // Defined lazily so importing the library in Node (SSR, tests) never touches HTMLElement.
  class QuireEditorElementImpl extends HTMLElement implements QuireEditorElement {
    static get observedAttributes(): string[] {
      return [...CONNECTION_ATTRIBUTES, ...USER_ATTRIBUTES, THEME_ATTRIBUTE];
    }

    #editor: QuireEditor | null = null;
    #container: HTMLElement | null = null;

    get editor(): QuireEditor | null {
      return this.#editor;
    }

    connectedCallback(): void {
      this.#start();
    }

    disconnectedCallback(): void {
      this.#stop();
    }

    attributeChangedCallback(name: string, oldValue: string | null, value: string | null): void {
      // Before connectedCallback (including the initial attributes of an upgraded element)
      // there is nothing to update: #start reads every attribute.
      if (oldValue === value || this.#container === null) return;
      if (USER_ATTRIBUTES.includes(name) && this.#editor) {
        this.#editor.setUser(this.#user());
        return;
      }
      if (name === THEME_ATTRIBUTE && this.#editor) {
        this.#editor.setTheme(parseThemeSetting(value));
        return;
      }
      this.#stop();
      this.#start();
    }

    #user(): { name?: string; color?: string } {
      return {
        name: this.getAttribute('user-name') ?? undefined,
        color: this.getAttribute('user-color') ?? undefined,
      };
    }

    #start(): void {
      if (this.#container !== null) return;
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      if (!shadow.querySelector('style[data-host]')) {
        const style = document.createElement('style');
        style.dataset.host = '';
        style.textContent = HOST_CSS;
        shadow.append(style);
      }
      ensureStyles(shadow);
      this.#container = document.createElement('div');
      this.#container.style.height = '100%';
      shadow.append(this.#container);
      const doc = this.getAttribute('doc') ?? '';
      if (!isValidDocName(doc)) {
        const error = document.createElement('p');
        error.className = 'quire-error';
        error.setAttribute('role', 'alert');
        error.textContent = `quire-editor: "doc" must be a valid document name (got "${doc}").`;
        this.#container.append(error);
        return;
      }
      this.#editor = createEditor({
        parent: this.#container,
        serverUrl: this.getAttribute('server') || defaultServerUrl(),
        doc,
        token: this.getAttribute('token') ?? undefined,
        user: this.#user(),
        readOnly: this.hasAttribute('read-only') && this.getAttribute('read-only') !== 'false',
        offline: this.getAttribute('offline') !== 'false',
        // The embedding page may not want people restoring versions from its page.
        history: !['off', 'false'].includes(this.getAttribute('history') ?? ''),
        mode: parseEditorMode(this.getAttribute('mode')),
        theme: parseThemeSetting(this.getAttribute(THEME_ATTRIBUTE)),
      });
    }

    #stop(): void {
      this.#editor?.destroy();
      this.#editor = null;
      this.#container?.remove();
      this.#container = null;
    }
  }

  customElements.define(tag, QuireEditorElementImpl);
  return QuireEditorElementImpl;
}
