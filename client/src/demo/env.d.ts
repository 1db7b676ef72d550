/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Quire server for `npm run dev -w client` (Vite serves the page, the server syncs). */
  readonly VITE_QUIRE_SERVER?: string;
}
