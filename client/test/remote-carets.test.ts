// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { remoteCarets } from '../src/remote-carets.js';

let view: EditorView | null = null;
afterEach(() => view?.destroy());

function setup(text: string, dark = false): { ytext: Y.Text; remote: Awareness } {
  const doc = new Y.Doc();
  const ytext = doc.getText('codemirror');
  ytext.insert(0, text);
  // The remote peer's awareness lives on its own doc with the same content and client id space.
  const local = new Awareness(doc);
  const parent = document.createElement('div');
  document.body.append(parent);
  view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [remoteCarets(ytext, local), EditorView.darkTheme.of(dark)],
    }),
  });
  return { ytext, remote: local };
}

/** Puts a fake remote client's state into the awareness (as applyAwarenessUpdate would). */
function setRemote(awareness: Awareness, clientId: number, state: Record<string, unknown>): void {
  awareness.states.set(clientId, state);
  awareness.meta.set(clientId, { clock: 1, lastUpdated: Date.now() });
  awareness.emit('change', [{ added: [clientId], updated: [], removed: [] }, 'test']);
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('remoteCarets', () => {
  it('draws a remote caret with the name as text and a validated color', async () => {
    const { ytext, remote } = setup('hello world');
    const cursor = {
      anchor: Y.createRelativePositionFromTypeIndex(ytext, 5),
      head: Y.createRelativePositionFromTypeIndex(ytext, 5),
    };
    setRemote(remote, 424242, {
      user: { name: '<img src=x onerror=alert(1)>', color: 'red;position:fixed' },
      cursor: JSON.parse(JSON.stringify(cursor)),
    });
    await tick();
    const info = view?.dom.querySelector('.cm-ySelectionInfo');
    expect(info?.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(info?.children).toHaveLength(0);
    // CodeMirror's own widget buffers are <img>s; none may carry an attribute from the name.
    expect(view?.dom.querySelector('[onerror]')).toBeNull();
    const caret = view?.dom.querySelector('.cm-ySelectionCaret') as HTMLElement;
    expect(caret.getAttribute('style') ?? '').not.toContain('position');
  });

  it('updates the label when the remote user renames', async () => {
    const { ytext, remote } = setup('abc');
    const cursor = JSON.parse(
      JSON.stringify({
        anchor: Y.createRelativePositionFromTypeIndex(ytext, 1),
        head: Y.createRelativePositionFromTypeIndex(ytext, 1),
      }),
    );
    setRemote(remote, 7, { user: { name: 'Ada', color: '#8250df' }, cursor });
    await tick();
    expect(view?.dom.querySelector('.cm-ySelectionInfo')?.textContent).toBe('Ada');
    setRemote(remote, 7, { user: { name: 'Ada L.', color: '#8250df' }, cursor });
    await tick();
    expect(view?.dom.querySelector('.cm-ySelectionInfo')?.textContent).toBe('Ada L.');
  });

  it('shows the label of a person who just moved, and lifts a dark color on a dark editor', async () => {
    const { ytext, remote } = setup('abc', true);
    const cursor = JSON.parse(
      JSON.stringify({
        anchor: Y.createRelativePositionFromTypeIndex(ytext, 1),
        head: Y.createRelativePositionFromTypeIndex(ytext, 1),
      }),
    );
    setRemote(remote, 9, { user: { name: 'Sam', color: '#0550ae' }, cursor });
    await tick();
    const caret = view?.dom.querySelector('.cm-ySelectionCaret') as HTMLElement;
    expect(caret.classList.contains('quire-caret-active')).toBe(true);
    expect(caret.dataset.clientId).toBe('9');
    // #0550ae is 2.3:1 on the dark editor: drawn lighter, with the same hue.
    expect(caret.style.borderColor).not.toMatch(/0550ae|rgb\(5, 80, 174\)/i);
    expect(caret.style.borderColor).not.toBe('');
  });

  it('tells two people with the same name apart on their carets, as the presence list does', async () => {
    const { ytext, remote } = setup('abcdef');
    const at = (index: number) =>
      JSON.parse(
        JSON.stringify({
          anchor: Y.createRelativePositionFromTypeIndex(ytext, index),
          head: Y.createRelativePositionFromTypeIndex(ytext, index),
        }),
      );
    setRemote(remote, 1001, { user: { name: 'Sam', color: '#0969da' }, cursor: at(1) });
    setRemote(remote, 2002, { user: { name: 'Sam', color: '#1a7f37' }, cursor: at(4) });
    await tick();
    const labels = [...(view?.dom.querySelectorAll('.cm-ySelectionInfo') ?? [])].map(
      (l) => l.textContent,
    );
    expect(labels).toHaveLength(2);
    expect(new Set(labels).size).toBe(2);
    for (const label of labels) expect(label).toMatch(/^Sam ·/);
  });
});
