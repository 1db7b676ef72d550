// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { mountFollow, type Follow } from '../src/follow.js';
import { renderPresence, presenceEntries } from '../src/presence.js';

let view: EditorView | null = null;
let follow: Follow | null = null;
afterEach(() => {
  follow?.destroy();
  view?.destroy();
  document.body.replaceChildren();
});

function setup() {
  const doc = new Y.Doc();
  const ytext = doc.getText('codemirror');
  ytext.insert(0, 'first line\nsecond line\n');
  const awareness = new Awareness(doc);
  awareness.setLocalStateField('user', { name: 'Alice', color: '#d1242f' });
  const root = document.createElement('div');
  const list = document.createElement('ul');
  const host = document.createElement('div');
  root.append(list, host);
  document.body.append(root);
  view = new EditorView({ parent: host, state: EditorState.create({ doc: ytext.toString() }) });
  const cursor = JSON.parse(
    JSON.stringify({
      anchor: Y.createRelativePositionFromTypeIndex(ytext, 12),
      head: Y.createRelativePositionFromTypeIndex(ytext, 12),
    }),
  );
  awareness.states.set(77, { user: { name: 'Sam', color: '#0969da' }, cursor });
  awareness.meta.set(77, { clock: 1, lastUpdated: Date.now() });
  const render = () =>
    renderPresence(
      list,
      presenceEntries(awareness.getStates() as never, awareness.clientID, new Map(), Date.now()),
    );
  render();
  follow = mountFollow({ view, ytext, awareness, presenceList: list, root, before: host });
  const bar = root.querySelector('.quire-following') as HTMLElement;
  const samButton = () => list.querySelector('[data-client-id="77"] .quire-person-jump');
  return { awareness, bar, samButton, render, follow };
}

describe('follow', () => {
  it('starts from a click in the presence list, says so, and stops on Escape', () => {
    const { bar, samButton } = setup();
    expect(bar.hidden).toBe(true);
    (samButton() as HTMLElement).click();
    expect(follow?.following()).toBe(77);
    expect(bar.hidden).toBe(false);
    expect(bar.textContent).toContain('Following Sam — press Esc or scroll to stop');
    expect(samButton()?.getAttribute('aria-pressed')).toBe('true');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(follow?.following()).toBeNull();
    expect(bar.hidden).toBe(true);
    expect(samButton()?.getAttribute('aria-pressed')).toBe('false');
  });

  it('keeps the pressed state across re-renders and stops when the person leaves', async () => {
    const { awareness, samButton, render } = setup();
    (samButton() as HTMLElement).click();
    render();
    // The MutationObserver marks the new buttons.
    await Promise.resolve();
    expect(samButton()?.getAttribute('aria-pressed')).toBe('true');
    awareness.states.delete(77);
    awareness.emit('change', [{ added: [], updated: [], removed: [77] }, 'test']);
    expect(follow?.following()).toBeNull();
  });

  it('stops when you scroll the text yourself', () => {
    const { samButton } = setup();
    (samButton() as HTMLElement).click();
    view?.scrollDOM.dispatchEvent(new Event('wheel'));
    expect(follow?.following()).toBeNull();
  });
});
