/**
 * The texts of versions, fetched once each while the panel lives: comparing back and forth
 * between versions, and redrawing the live diff as others type, does not ask the server again.
 */
import type { HistoryApi } from './api.js';

/** Returns the text of the version `id`, from the server the first time. */
export type VersionTexts = (id: string) => Promise<string>;

export function createVersionTexts(api: Pick<HistoryApi, 'versionText'>): VersionTexts {
  const texts = new Map<string, Promise<string>>();
  return (id) => {
    let text = texts.get(id);
    if (!text) {
      text = api.versionText(id);
      texts.set(id, text);
      // A failure is not remembered: the next selection asks again.
      text.catch(() => texts.delete(id));
    }
    return text;
  };
}
