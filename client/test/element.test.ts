// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { defineQuireEditor, type QuireEditorElement } from '../src/element.js';

defineQuireEditor();
afterEach(() => document.body.replaceChildren());

describe('<quire-editor>', () => {
  it('starts exactly one editor when an element already in the page is upgraded', () => {
    // The embed case: the module script runs after the parser created the element.
    document.body.innerHTML =
      '<quire-editor-late server="ws://127.0.0.1:9" doc="notes" user-name="Ada" offline="false"></quire-editor-late>';
    defineQuireEditor('quire-editor-late');
    const element = document.querySelector('quire-editor-late') as QuireEditorElement;
    expect(element.editor).not.toBeNull();
    expect(element.shadowRoot?.querySelectorAll('.quire')).toHaveLength(1);
    expect(element.editor?.awareness.getLocalState()?.user?.name).toBe('Ada');
  });

  it('explains an invalid doc name instead of connecting', () => {
    document.body.innerHTML = '<quire-editor doc="../etc/passwd"></quire-editor>';
    const element = document.querySelector('quire-editor') as QuireEditorElement;
    expect(element.editor).toBeNull();
    expect(element.shadowRoot?.querySelector('[role="alert"]')?.textContent).toMatch(
      /valid document name/,
    );
  });

  it('applies a new user-name live and tears down when removed', () => {
    document.body.innerHTML =
      '<quire-editor server="ws://127.0.0.1:9" doc="notes" offline="false"></quire-editor>';
    const element = document.querySelector('quire-editor') as QuireEditorElement;
    const editor = element.editor;
    element.setAttribute('user-name', 'Grace');
    expect(element.editor).toBe(editor);
    expect(editor?.awareness.getLocalState()?.user?.name).toBe('Grace');
    element.remove();
    expect(element.editor).toBeNull();
  });
});
