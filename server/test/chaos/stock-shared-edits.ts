/**
 * Random edits across every Yjs shared type, as real editors make them: rich text with
 * formatting and embeds (Quill-style), nested maps, arrays, an XML tree of paragraphs with
 * attributes and formatted text (what y-prosemirror keeps), and maps of arrays of texts. Plus a
 * snapshot of a replica that sees what toJSON() hides (formatting, embeds, attributes).
 */
import * as Y from 'yjs';
import { canonicalJson } from './stock-fleet.js';

/** The root types, fetched by name so that every replica knows their kind (a replica that never
 * called `getText('rich')` would hold it as an untyped placeholder). */
export function rootsOf(doc: Y.Doc) {
  return {
    rich: doc.getText('rich'),
    map: doc.getMap<unknown>('map'),
    array: doc.getArray<unknown>('array'),
    xml: doc.getXmlFragment('prosemirror'),
  };
}

/** Gives `doc` the nested structure the edits work in: map.nested is a map whose `lists` holds
 * an array of texts. Made by one client before the others join, like a document template. */
export function createStructure(doc: Y.Doc): void {
  const { map, xml } = rootsOf(doc);
  doc.transact(() => {
    const nested = new Y.Map<unknown>();
    map.set('nested', nested);
    const lists = new Y.Array<Y.Text>();
    nested.set('lists', lists);
    lists.push([new Y.Text('first item')]);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('hello')]);
    xml.insert(0, [paragraph]);
  });
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'omega'];
const FORMATS = [{ bold: true }, { italic: true }, { link: 'https://example.com' }, { bold: null }];

/** One random edit on one shared type of `doc`, chosen by `random`. */
export function randomEdit(doc: Y.Doc, random: () => number, tag: string): void {
  const { rich, map, array, xml } = rootsOf(doc);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const at = (length: number) => Math.floor(random() * (length + 1));
  const word = `${pick(WORDS)}-${tag} `;
  const nested = map.get('nested') as Y.Map<unknown>;
  const lists = nested.get('lists') as Y.Array<Y.Text>;
  switch (Math.floor(random() * 10)) {
    case 0: // formatted insert
      rich.insert(at(rich.length), word, pick(FORMATS.slice(0, 3)));
      break;
    case 1: // formatting (or unformatting) a range
      if (rich.length > 2) {
        const start = Math.floor(random() * (rich.length - 1));
        rich.format(start, 1 + Math.floor(random() * (rich.length - start - 1)), pick(FORMATS));
      } else rich.insert(0, word);
      break;
    case 2: // an embed, e.g. an image
      rich.insertEmbed(at(rich.length), { image: `${tag}.png` }, { width: '100' });
      break;
    case 3: // plain typing and deleting
      if (rich.length > 4 && random() < 0.4)
        rich.delete(Math.floor(random() * (rich.length - 2)), 2);
      else rich.insert(at(rich.length), word);
      break;
    case 4: // nested maps: a new inner map, or a change inside one
      doc.transact(() => {
        const inner = new Y.Map<unknown>();
        inner.set('by', tag);
        inner.set('count', Math.floor(random() * 100));
        nested.set(`inner-${tag}`, inner);
      });
      break;
    case 5: // top-level map keys, sometimes deleted
      if (random() < 0.3 && map.has(`key-${tag}`)) map.delete(`key-${tag}`);
      else map.set(`key-${tag}`, { tag, at: Math.floor(random() * 1000) });
      break;
    case 6: // array of plain values and objects
      if (array.length > 3 && random() < 0.3) array.delete(Math.floor(random() * array.length), 1);
      else array.insert(at(array.length), [tag, { nested: [Math.floor(random() * 10)] }]);
      break;
    case 7: // map of arrays of texts: a new text, or typing in an existing one
      if (random() < 0.4) lists.push([new Y.Text(`item ${tag}`)]);
      else {
        const item = lists.get(Math.floor(random() * lists.length));
        item.insert(at(item.length), word, random() < 0.5 ? { bold: true } : undefined);
      }
      break;
    case 8: // ProseMirror-style tree: a new paragraph or heading
      doc.transact(() => {
        const element = new Y.XmlElement(random() < 0.5 ? 'paragraph' : 'heading');
        if (element.nodeName === 'heading') element.setAttribute('level', String(1 + at(2)));
        element.insert(0, [new Y.XmlText(word)]);
        xml.insert(at(xml.length), [element]);
      });
      break;
    default: {
      // typing, formatting and attributes inside an existing paragraph
      const element = xml.get(Math.floor(random() * xml.length));
      if (!(element instanceof Y.XmlElement)) break;
      const text = element.get(0);
      if (text instanceof Y.XmlText) {
        text.insert(at(text.length), word, random() < 0.4 ? { strong: true } : undefined);
        if (text.length > 3) text.format(0, 2, { em: random() < 0.5 ? true : null });
      }
      element.setAttribute('data-edited-by', tag);
      if (xml.length > 3 && random() < 0.15) xml.delete(Math.floor(random() * xml.length), 1);
    }
  }
}

/** Everything a replica shows, including what toJSON() drops: text formatting and embeds
 * (deltas), XML attributes and marks (toString), inner maps and the nested texts' deltas. */
export function snapshot(doc: Y.Doc): string {
  const { rich, map, xml } = rootsOf(doc);
  const lists = (map.get('nested') as Y.Map<unknown> | undefined)?.get('lists') as
    Y.Array<Y.Text> | undefined;
  return canonicalJson({
    json: doc.toJSON(),
    rich: rich.toDelta(),
    xml: xml.toString(),
    lists: lists?.map((t) => t.toDelta()) ?? null,
  });
}
