// The demo app exposes its editor as `window.quire` (see client/src/demo/doc-page.ts); the
// tests read only this much of it.
export {};

declare global {
  interface Window {
    quire?: {
      view: { state: { doc: { toString(): string } } };
      status(): { status: string; label: string };
      provider: { wsconnected: boolean };
    };
  }
}
