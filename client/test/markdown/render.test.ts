// The sanitizer itself (DOMPurify) is tested in Chromium (e2e/tests/markdown.spec.ts): happy-dom's
// DOM is not complete enough for DOMPurify's tree walk, and a sanitizer test must run where the
// preview runs. Here: what markdown-it makes of a document, and which image addresses are used.
import { describe, expect, it } from 'vitest';
import { markdownToHtml } from '../../src/markdown/render.js';
import { imageSource, SAFE_URL } from '../../src/markdown/sanitize.js';

describe('markdownToHtml', () => {
  it('marks every block with the source line it starts on', () => {
    const html = markdownToHtml('# Title\n\nSome *text*.\n\n- one\n- two\n\n```js\nlet a;\n```\n');
    expect(html).toContain('<h1 data-line="0">Title</h1>');
    expect(html).toContain('<p data-line="2">Some <em>text</em>.</p>');
    expect(html).toContain('<ul data-line="4">');
    expect(html).toContain('<li data-line="5">two</li>');
    expect(html).toContain('<code data-line="7" class="language-js">let a;');
  });

  it('makes no link of javascript:, vbscript: or data: targets', () => {
    const html = markdownToHtml(
      '[a](javascript:alert(1)) [b](vbscript:msgbox) [c](data:text/html,x) [d](https://ok.test/)',
    );
    expect(html.match(/href="[^"]*"/g)).toEqual(['href="https://ok.test/"']);
  });

  it('links bare URLs, renders GFM tables and strikethrough', () => {
    const html = markdownToHtml('see https://quire.test/x\n\n| a |\n|---|\n| 1 |\n\n~~gone~~');
    expect(html).toContain('<a href="https://quire.test/x">https://quire.test/x</a>');
    expect(html).toContain('<table data-line="2">');
    expect(html).toContain('<s>gone</s>');
  });
});

describe('URL policy', () => {
  it('allows http(s), mailto and scheme-less addresses only', () => {
    const allowed = [
      'https://a.test/',
      'http://a.test/',
      'mailto:a@b.test',
      '/x',
      '../x',
      '#top',
      'x.png',
    ];
    const refused = [
      'javascript:alert(1)',
      'vbscript:x',
      'data:text/html,x',
      'ftp://a.test/',
      'file:///x',
    ];
    expect(allowed.filter((url) => !SAFE_URL.test(url))).toEqual([]);
    expect(refused.filter((url) => SAFE_URL.test(url))).toEqual([]);
  });

  it('resolves relative image addresses, offers raster data: images, refuses the rest', () => {
    const base = 'https://quire.test/d/notes';
    expect(imageSource('img/a.png', base)).toEqual({
      kind: 'remote',
      url: 'https://quire.test/d/img/a.png',
      host: 'quire.test',
    });
    expect(imageSource('//cdn.test/a.png', base)).toMatchObject({ host: 'cdn.test' });
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(imageSource(png, base)).toEqual({ kind: 'embedded', url: png });
    for (const src of [
      'data:image/svg+xml;base64,PHN2Zz4=',
      'data:text/html,x',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://[bad',
    ]) {
      expect(imageSource(src, base), src).toBeNull();
    }
  });
});
