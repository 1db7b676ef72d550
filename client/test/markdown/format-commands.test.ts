import { describe, expect, it } from 'vitest';
import { EditorSelection, EditorState, type StateCommand } from '@codemirror/state';
import {
  LINK_URL_PLACEHOLDER,
  toggleBold,
  toggleItalic,
  toggleLink,
} from '../../src/markdown/format-commands.js';

/** `«` and `»` mark the selection (`|` a caret) in `marked`; returns the text with the same marks. */
function run(command: StateCommand, marked: string, readOnly = false): string {
  const ranges: { anchor: number; head: number }[] = [];
  let doc = '';
  let start = -1;
  for (const char of marked) {
    if (char === '«') start = doc.length;
    else if (char === '»') ranges.push({ anchor: start, head: doc.length });
    else if (char === '|') ranges.push({ anchor: doc.length, head: doc.length });
    else doc += char;
  }
  let state = EditorState.create({
    doc,
    selection: EditorSelection.create(ranges.map((r) => EditorSelection.range(r.anchor, r.head))),
    extensions: [EditorState.allowMultipleSelections.of(true), EditorState.readOnly.of(readOnly)],
  });
  command({ state, dispatch: (tr) => (state = tr.state) });
  let out = state.doc.toString();
  for (const range of [...state.selection.ranges].reverse()) {
    out = range.empty
      ? `${out.slice(0, range.from)}|${out.slice(range.from)}`
      : `${out.slice(0, range.from)}«${out.slice(range.from, range.to)}»${out.slice(range.to)}`;
  }
  return out;
}

describe('bold and italic', () => {
  it('wrap the selection and keep it selected; again, unwrap it', () => {
    expect(run(toggleBold, 'hello «world»')).toBe('hello **«world»**');
    expect(run(toggleBold, 'hello **«world»**')).toBe('hello «world»');
    expect(run(toggleItalic, 'hello «world»')).toBe('hello *«world»*');
    expect(run(toggleItalic, 'hello *«world»*')).toBe('hello «world»');
  });

  it('unwrap a selection that includes its markup', () => {
    expect(run(toggleBold, 'hello «**world**»')).toBe('hello «world»');
    expect(run(toggleItalic, 'a «_word_» b')).toBe('a «word» b');
  });

  it('leave whitespace at the ends of the selection outside the markup', () => {
    expect(run(toggleBold, 'say «hello »there')).toBe('say **«hello»** there');
  });

  it('format the word around a caret, and add empty markup where there is none', () => {
    expect(run(toggleBold, 'one tw|o three')).toBe('one **tw|o** three');
    expect(run(toggleBold, 'one **tw|o** three')).toBe('one tw|o three');
    expect(run(toggleItalic, 'a _wo|rd_')).toBe('a wo|rd');
    expect(run(toggleBold, 'end |')).toBe('end **|**');
    expect(run(toggleBold, 'end **|**')).toBe('end |');
  });

  it('combine: bold and italic each add and remove only their own part', () => {
    expect(run(toggleItalic, '**«x»**')).toBe('***«x»***');
    expect(run(toggleBold, '***«x»***')).toBe('*«x»*');
    expect(run(toggleItalic, '***«x»***')).toBe('**«x»**');
    // Italic is not mistaken for half of a bold marker.
    expect(run(toggleBold, '*«x»*')).toBe('***«x»***');
  });

  it('format every selection range in one go', () => {
    expect(run(toggleBold, '«a» and «b»')).toBe('**«a»** and **«b»**');
  });

  it('do nothing in a read-only editor', () => {
    expect(run(toggleBold, 'hello «world»', true)).toBe('hello «world»');
  });
});

describe('link', () => {
  it('wraps the selection as [text](url) with url selected, and removes the link again', () => {
    expect(run(toggleLink, 'see «the docs»')).toBe(`see [the docs](«${LINK_URL_PLACEHOLDER}»)`);
    expect(run(toggleLink, 'see [the docs](«url»)')).toBe('see «the docs»');
    expect(run(toggleLink, 'see [the do|cs](https://x.test)')).toBe('see «the docs»');
  });

  it('makes a selected URL the target, with the caret in the empty text', () => {
    expect(run(toggleLink, 'at «https://quire.test/a»')).toBe('at [|](https://quire.test/a)');
  });

  it('offers text to type over when nothing is selected', () => {
    expect(run(toggleLink, 'go | now')).toBe('go [link text](«url») now');
  });

  it('does not take an image for a link', () => {
    expect(run(toggleLink, '![«cat»](cat.png)')).toBe('![[cat](«url»)](cat.png)');
  });
});
