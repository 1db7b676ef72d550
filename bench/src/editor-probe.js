/* global requestAnimationFrame, MutationObserver, MessageChannel, PerformanceObserver */
// Runs in the benchmark's Chromium page before the demo's scripts (browser.ts installs it as an
// init script, after `window.__quireBenchExpected = { length, prefix, textName }`). Plain browser
// JavaScript, not TypeScript: the bench compiles for Node without DOM types, and Playwright sends
// this text to the page as it is. Results are read from `window.__quireBenchProbe`.
//
// "Painted" is the end of the frame that holds the change: a requestAnimationFrame callback
// after the DOM changed, then a message posted from it, which runs once the frame's style,
// layout and paint steps on the main thread are done (compositing happens off it).
(() => {
  const expected = window.__quireBenchExpected;
  const probe = {
    /** performance.now() (ms since navigation start) at the end of the first frame whose editor
     * holds the whole document and whose content DOM shows its first line. */
    shownAt: null,
    /** The same for DOMContentLoaded, to tell page load from document load. */
    domContentLoadedAt: null,
    /** Start and end of the Y.Doc transaction that completed the document (the end includes
     * CodeMirror's DOM update, which y-codemirror dispatches inside it). */
    docArrivedAt: null,
    docAppliedAt: null,
    /** Local keystrokes: ms from keydown to the end of the frame that shows the character. */
    keys: [],
    /** Keystrokes whose character was not just before the caret in that frame. */
    keyMismatches: 0,
    /** Remote updates: first struct id ("client:clock") → epoch ms (timeOrigin + now) at the end
     * of the frame that shows them; node pairs them with the typists' send times. */
    remote: {},
    recordRemote: false,
    /** Main-thread tasks over 50 ms (Long Tasks API), summed: how busy the page was. */
    longTaskMs: 0,
  };
  window.__quireBenchProbe = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTaskMs += entry.duration;
  }).observe({ type: 'longtask', buffered: true });
  const epochNow = () => performance.timeOrigin + performance.now();

  const afterFrame = (callback) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => callback();
      channel.port2.postMessage(null);
    });
  };

  document.addEventListener('DOMContentLoaded', () => {
    probe.domContentLoadedAt = performance.now();
  });

  const isShown = () => {
    const editor = window.quire;
    const content = document.querySelector('.cm-content');
    return (
      editor !== undefined &&
      content !== null &&
      editor.view.state.doc.length === expected.length &&
      (content.textContent ?? '').includes(expected.prefix)
    );
  };

  let watchingDoc = false;
  const watchDoc = (ydoc) => {
    watchingDoc = true;
    let startedAt = 0;
    ydoc.on('beforeTransaction', () => {
      startedAt = performance.now();
    });
    ydoc.on('afterTransaction', () => {
      if (probe.docAppliedAt !== null) return;
      if (ydoc.getText(expected.textName).length !== expected.length) return;
      probe.docArrivedAt = startedAt;
      probe.docAppliedAt = performance.now();
    });
  };

  const watchLoad = () => {
    if (!watchingDoc && window.quire !== undefined) watchDoc(window.quire.ydoc);
    if (!isShown()) {
      requestAnimationFrame(watchLoad);
      return;
    }
    afterFrame(() => {
      probe.shownAt = performance.now();
      watchEdits();
    });
  };
  requestAnimationFrame(watchLoad);

  function watchEdits() {
    const { view, ydoc } = window.quire;
    let pendingKey = null;
    // Capture phase on window: before CodeMirror's own handlers see the key.
    window.addEventListener(
      'keydown',
      (event) => {
        if (event.key.length === 1) pendingKey = { at: performance.now(), key: event.key };
      },
      true,
    );
    // The typed character changes the content DOM within the keydown's task, so the first
    // mutation after a keydown is that keystroke's.
    new MutationObserver(() => {
      if (pendingKey === null) return;
      const key = pendingKey;
      pendingKey = null;
      // Checked now, not in the frame: a remote character may land at the caret meanwhile.
      const head = view.state.selection.main.head;
      if (view.state.doc.sliceString(head - 1, head) !== key.key) probe.keyMismatches++;
      afterFrame(() => probe.keys.push(performance.now() - key.at));
    }).observe(view.contentDOM, { childList: true, characterData: true, subtree: true });
    // Remote updates reach CodeMirror's DOM synchronously (y-codemirror's observer dispatches),
    // so after the transaction the content DOM already holds them.
    ydoc.on('afterTransaction', (transaction) => {
      if (transaction.local || !probe.recordRemote) return;
      const ids = [];
      for (const [client, clock] of transaction.afterState) {
        const before = transaction.beforeState.get(client) ?? 0;
        if (clock > before) ids.push(`${client}:${before}`);
      }
      if (ids.length === 0) return;
      afterFrame(() => {
        const at = epochNow();
        for (const id of ids) probe.remote[id] = at;
      });
    });
  }
})();
