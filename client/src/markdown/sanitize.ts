/**
 * What the preview lets a document do. Anyone who can write to a document decides what its
 * readers' browsers render, so the preview's HTML goes through DOMPurify with an allowlist:
 *
 * - No script in any form: no `<script>`, no event-handler attributes, no SVG or MathML, no
 *   `<iframe>`/`<object>`/`<embed>`, no forms, no `<style>` and no `style` attributes.
 * - URLs are `http(s):`, `mailto:` or relative; `javascript:`, `vbscript:`, `data:` and every
 *   other scheme are dropped (the link stays as text).
 * - Nothing is loaded without the reader's choice. A remote image becomes a button "Load image
 *   from <host>"; only after that click (per URL, for as long as the preview lives) is an
 *   `<img>` with that `src` made, with `referrerpolicy="no-referrer"`. Raster `data:` images
 *   (PNG, GIF, JPEG, WebP, which cannot carry script and fetch nothing) get a "Show embedded
 *   image" button the same way; SVG `data:` images are never shown. No other element that
 *   fetches anything is allowed at all.
 * - Links open in a new tab with `rel="noopener noreferrer nofollow"`; `class` is kept only as
 *   `language-*` on `<code>` (a document cannot dress itself up as the editor's own UI), and no
 *   `id`/`name` (no DOM clobbering).
 *
 * Everything here works with DOM nodes and addEventListener: no inline handlers, no inline
 * script, so a page with a strict Content-Security-Policy can host the editor.
 */
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';

export const ALLOWED_TAGS = [
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code'],
  ...['em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'kbd'],
  ...['abbr', 'cite', 'q', 'samp', 'var', 'span', 'div', 'a', 'img', 'ul', 'ol', 'li'],
  ...['dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption'],
  ...['details', 'summary', 'figure', 'figcaption'],
];

export const ALLOWED_ATTR = [
  ...['href', 'src', 'alt', 'title', 'class', 'colspan', 'rowspan', 'align', 'start'],
  ...['reversed', 'open', 'datetime', 'data-line'],
];

/** `http(s):`, `mailto:`, or no scheme at all (relative, `#…`, `//host/…`). */
export const SAFE_URL = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

/** Raster images that can be shown from a `data:` URL after the reader's choice. */
const EMBEDDED_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]+$/i;

/** Where the preview keeps an image's URL until the reader chooses to load it. */
const PENDING_SRC = 'data-quire-pending-src';

const CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOWED_URI_REGEXP: SAFE_URL,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  // data: in <img src> is judged by imageSource() below, not by DOMPurify's data-URI list.
  ADD_DATA_URI_TAGS: [],
  USE_PROFILES: false,
  RETURN_DOM_FRAGMENT: true,
};

export type ImageSource =
  { kind: 'remote'; url: string; host: string } | { kind: 'embedded'; url: string };

/** What an image's `src` may become: a remote URL (resolved), an embedded raster image, or
 * nothing (SVG or other `data:` URLs, other schemes, unparsable URLs). */
export function imageSource(src: string, baseUrl: string): ImageSource | null {
  const value = src.trim();
  if (/^data:/i.test(value))
    return EMBEDDED_IMAGE.test(value) ? { kind: 'embedded', url: value } : null;
  let url: URL;
  try {
    url = new URL(value, baseUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return { kind: 'remote', url: url.href, host: url.host };
}

const purifiers = new WeakMap<object, Purifier>();

function purifierFor(win: Window & typeof globalThis): Purifier {
  let purifier = purifiers.get(win);
  if (purifier) return purifier;
  purifier = DOMPurify(win);
  purifier.addHook('uponSanitizeAttribute', (node, event) => {
    if (event.attrName === 'class') {
      event.keepAttr =
        node.nodeName === 'CODE' && /^language-[\w#+.-]{1,40}$/.test(event.attrValue.trim());
    }
  });
  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    if (node.nodeName === 'IMG') {
      // Parked in an attribute of our own: the fragment must hold no loadable src at all.
      const src = node.getAttribute('src');
      node.removeAttribute('src');
      if (src) node.setAttribute(PENDING_SRC, src);
    }
  });
  purifiers.set(win, purifier);
  return purifier;
}

export interface SanitizeOptions {
  /** Images the reader chose to load (by resolved URL): these are shown as `<img>`. */
  isImageApproved?(url: string): boolean;
  /** Against what relative image URLs resolve. Default: the document's base URL. */
  baseUrl?: string;
}

/** Sanitized DOM for the preview, owned by `doc`, with no resource that loads on its own. */
export function sanitizePreviewHtml(
  html: string,
  doc: Document,
  options: SanitizeOptions = {},
): DocumentFragment {
  const win = doc.defaultView;
  const purifier = win ? purifierFor(win as Window & typeof globalThis) : null;
  if (!purifier?.isSupported) {
    // Fail closed: without a working sanitizer the source is shown as text.
    const fallback = doc.createDocumentFragment();
    const pre = doc.createElement('pre');
    pre.textContent = html;
    fallback.append(pre);
    return fallback;
  }
  const sanitized = purifier.sanitize(html, { ...CONFIG, RETURN_DOM_FRAGMENT: true });
  // Adopted, not copied: the nodes move from the parser's inert document into this one.
  const fragment = doc.adoptNode(sanitized);
  const baseUrl = options.baseUrl ?? doc.baseURI;
  for (const img of Array.from(fragment.querySelectorAll('img'))) {
    const source = imageSource(img.getAttribute(PENDING_SRC) ?? '', baseUrl);
    img.replaceWith(imageStandIn(doc, img, source, options.isImageApproved));
  }
  return fragment;
}

/** The button that loads an image, the image itself once approved, or its text alternative. */
function imageStandIn(
  doc: Document,
  img: Element,
  source: ImageSource | null,
  isApproved: SanitizeOptions['isImageApproved'],
): Element {
  const alt = img.getAttribute('alt') ?? '';
  const title = img.getAttribute('title');
  if (source && isApproved?.(source.url)) {
    const shown = doc.createElement('img');
    shown.setAttribute('referrerpolicy', 'no-referrer');
    shown.alt = alt;
    if (title) shown.title = title;
    shown.src = source.url;
    return shown;
  }
  const wrapper = doc.createElement('span');
  wrapper.className = 'quire-md-image';
  if (source) {
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = 'quire-button quire-md-load-image';
    button.dataset.quireImage = source.url;
    button.textContent =
      source.kind === 'remote' ? `Load image from ${source.host}` : 'Show embedded image';
    wrapper.append(button);
  }
  if (alt || !source) {
    const text = doc.createElement('span');
    text.className = 'quire-md-image-alt';
    text.textContent = alt || 'Image not shown (unsupported address)';
    wrapper.append(text);
  }
  return wrapper;
}
