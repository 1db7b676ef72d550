/**
 * The History panel's live region, in the toolbar: it outlives the panel, so an outcome such as
 * "Version restored" is still heard after the panel has closed.
 */

/** How long an outcome ("Version restored …") stays visible in the toolbar. */
const ANNOUNCEMENT_MS = 15_000;
/** How long the region stays empty before a new sentence, so that screen readers notice it. */
const ANNOUNCEMENT_GAP_MS = 50;

export interface Announcer {
  /** Says `text` (again, even when it is the sentence already shown), then clears it. */
  say(text: string): void;
  /** Cancels what is pending (the element itself belongs to the layout). */
  stop(): void;
}

export function createAnnouncer(region: HTMLElement): Announcer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    say(text) {
      // Cleared first, so the same sentence twice is read out twice; cleared again later, so the
      // toolbar does not keep saying "restored" long after.
      region.textContent = '';
      clearTimeout(timer);
      timer = setTimeout(() => {
        region.textContent = text;
        timer = setTimeout(() => (region.textContent = ''), ANNOUNCEMENT_MS);
      }, ANNOUNCEMENT_GAP_MS);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
