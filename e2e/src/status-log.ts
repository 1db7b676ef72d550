/**
 * Records, inside the page, every state the editor's status indicator and editability went
 * through. Polling from the test could miss a state that lasted a few milliseconds (a flash of
 * "denied", a moment of read-only); a MutationObserver sees each one.
 */
import type { Page } from '@playwright/test';

export interface StatusEntry {
  status: string;
  label: string;
  /** The editor did not accept input (read-only class or contenteditable off). */
  readOnly: boolean;
  /** The socket was open when this state was shown. */
  connected: boolean;
}

/** Starts recording (the editor must be mounted). */
export async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const status = document.querySelector<HTMLElement>('.quire-status');
    const root = document.querySelector<HTMLElement>('.quire');
    const content = document.querySelector<HTMLElement>('.cm-content');
    if (!status || !root || !content) throw new Error('the editor is not mounted');
    const log: StatusEntry[] = [];
    (window as unknown as { __quireStatusLog: StatusEntry[] }).__quireStatusLog = log;
    const record = (): void => {
      const entry: StatusEntry = {
        status: status.dataset.status ?? '',
        label: status.textContent ?? '',
        readOnly:
          root.classList.contains('quire-is-readonly') ||
          content.getAttribute('contenteditable') !== 'true',
        connected: window.quire?.provider.wsconnected ?? false,
      };
      const last = log.at(-1);
      if (
        !last ||
        last.status !== entry.status ||
        last.label !== entry.label ||
        last.readOnly !== entry.readOnly
      ) {
        log.push(entry);
      }
    };
    const observer = new MutationObserver(record);
    observer.observe(status, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    observer.observe(root, { attributes: true, attributeFilter: ['class'] });
    observer.observe(content, { attributes: true, attributeFilter: ['contenteditable'] });
    record();
  });
}

export function statusLog(page: Page): Promise<StatusEntry[]> {
  return page.evaluate(
    () => (window as unknown as { __quireStatusLog?: StatusEntry[] }).__quireStatusLog ?? [],
  );
}
