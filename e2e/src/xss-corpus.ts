/**
 * A Markdown document of the usual XSS and tracking payloads, for the preview test
 * (tests/markdown.spec.ts): script in every form it can take in Markdown and raw HTML, and every
 * element or attribute that makes a browser fetch something, each pointing at `probe`. A payload
 * that runs sets `window.__quirePwned`; one that loads something reaches the probe server.
 * `${probe}/approved` is the one image the test chooses to load.
 */
export function xssCorpus(probe: string): string {
  return [
    '# XSS corpus',
    `![approved image](${probe}/approved)`,
    '<script>window.__quirePwned = "script"</script>',
    '[markdown javascript link](javascript:window.__quirePwned="md-link")',
    '[markdown data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '<a href="javascript:window.__quirePwned=\'raw-link\'" class="raw-js">raw javascript link</a>',
    '<a href=" JaVaScRiPt:window.__quirePwned=\'mixed-case\'">mixed-case link</a>',
    '<a href="vbscript:msgbox(1)">vbscript link</a>',
    '<a href="data:text/html,<script>alert(1)</script>">raw data link</a>',
    '<img src=x onerror="window.__quirePwned=\'onerror\'">',
    `<img src=${probe}/probe>`,
    `![markdown image](${probe}/probe-markdown-image)`,
    `<img srcset="${probe}/probe-srcset 2x" src="${probe}/probe-src">`,
    '<svg onload="window.__quirePwned=\'svg-onload\'"><script>window.__quirePwned="svg"</script></svg>',
    `<svg><image href="${probe}/probe-svg-image"/><use href="${probe}/probe-use#x"/></svg>`,
    `<iframe src="${probe}/probe-iframe"></iframe>`,
    '<iframe srcdoc="<script>parent.__quirePwned=\'srcdoc\'</script>"></iframe>',
    `<object data="${probe}/probe-object"></object><embed src="${probe}/probe-embed">`,
    `<style>@import url(${probe}/probe-import); p { background: url(${probe}/probe-style) }</style>`,
    `<p style="background: url(${probe}/probe-style-attr)">styled paragraph</p>`,
    `<link rel="stylesheet" href="${probe}/probe-link"><link rel="prefetch" href="${probe}/probe-prefetch">`,
    `<video poster="${probe}/probe-poster" src="${probe}/probe-video"></video>`,
    `<audio src="${probe}/probe-audio" autoplay></audio>`,
    `<table background="${probe}/probe-table"><tr><td>cell</td></tr></table>`,
    `<form action="${probe}/probe-form"><input autofocus onfocus="window.__quirePwned='autofocus'"></form>`,
    `<meta http-equiv="refresh" content="0;url=${probe}/probe-meta"><base href="${probe}/probe-base/">`,
    '<details open ontoggle="window.__quirePwned=\'ontoggle\'"><summary>more</summary>inside</details>',
    `<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIG9ubG9hZD0nYWxlcnQoMSknLz4=" alt="svg data image">`,
    // Last: its unclosed <style> swallows the rest of the document, as a browser would.
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__quirePwned=\'mxss\'">',
    '',
  ].join('\n\n');
}
