/**
 * The History panel's CSS, part of the editor's stylesheet (styles.ts). Colors go through
 * `--quire-*` custom properties with the light theme as fallback, so a page (or a later dark
 * theme) can restyle it by setting them on `.quire` or `:host`. The layout follows the panel's
 * own width (a container query), not the window's: an embedded editor can be narrow on a wide
 * screen.
 */
export const HISTORY_CSS = `
.quire-tools { display: contents; }
.quire-button { font: inherit; font-size: 13px; line-height: 1.3; padding: 3px 10px;
  border: 1px solid var(--quire-border, #d0d7de); border-radius: 6px;
  background: var(--quire-button-bg, #f6f8fa); color: var(--quire-fg, #1f2328); cursor: pointer; }
.quire-button:hover:not(:disabled) { background: var(--quire-button-hover, #eaeef2); }
.quire-button:focus-visible, .quire-input:focus-visible {
  outline: 2px solid var(--quire-focus, #0969da); outline-offset: 1px; }
.quire-button:disabled { cursor: not-allowed; opacity: 0.55; }
.quire-button[aria-disabled="true"] { cursor: progress; opacity: 0.7; }
.quire-button-danger { color: var(--quire-danger, #a40e26); border-color: #ff8182; }
.quire-dialog .quire-button-danger { background: var(--quire-danger, #a40e26); color: #fff;
  border-color: var(--quire-danger, #a40e26); }
.quire-tool[aria-expanded="true"] { background: var(--quire-accent-bg, #ddf4ff);
  border-color: var(--quire-accent, #0969da); color: var(--quire-accent-fg, #0550ae); }
.quire-input { font: inherit; font-size: 13px; padding: 3px 6px; min-width: 0;
  border: 1px solid var(--quire-border, #d0d7de); border-radius: 6px;
  background: var(--quire-bg, #fff); color: var(--quire-fg, #1f2328); }
/* On a line of its own at the bottom of the toolbar while it says something, so the buttons do
 * not move; when empty it stays in the accessibility tree (a live region must exist beforehand). */
.quire-history-announcer { order: 99; flex-basis: 100%; font-size: 12px;
  color: var(--quire-success, #116329); }
.quire-history-announcer:empty { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); }
.quire.quire-history-open > .quire-editor { display: none; }
.quire-history { flex: 1; min-height: 18rem; display: flex; flex-direction: column;
  container-type: inline-size; background: var(--quire-bg, #fff); border-radius: 0 0 8px 8px; }
.quire-history[hidden] { display: none; }
.quire-history-head { display: flex; align-items: center; gap: 0.5rem; padding: 0.45rem 0.75rem;
  border-bottom: 1px solid var(--quire-border, #d0d7de); }
.quire-history-title { font-size: 15px; margin: 0; margin-right: auto; }
.quire-history-body { flex: 1; min-height: 0; display: grid;
  grid-template-columns: minmax(14rem, 19rem) minmax(0, 1fr); }
.quire-history-side { min-height: 0; overflow: auto; padding: 0.6rem 0.75rem;
  border-right: 1px solid var(--quire-border, #d0d7de); display: flex; flex-direction: column;
  gap: 0.5rem; }
.quire-history-name { display: flex; flex-direction: column; gap: 0.25rem; }
.quire-history-name-label { font-size: 12px; font-weight: 600; color: var(--quire-muted, #57606a); }
.quire-history-name-row { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.quire-history-name-row .quire-input { flex: 1 1 9rem; }
.quire-history-note, .quire-history-hint, .quire-history-list-status { margin: 0; font-size: 12px;
  color: var(--quire-muted, #57606a); }
.quire-history-note { padding: 4px 8px; border-radius: 6px; background: var(--quire-note-bg, #fff8c5);
  color: var(--quire-note-fg, #6c4400); }
.quire-history-note[hidden], .quire-history-list-status[hidden], .quire-history-error[hidden],
.quire-history-main[hidden] { display: none; }
.quire-history-list { outline: none; border-radius: 6px; }
.quire-history-list:focus-visible { box-shadow: 0 0 0 2px var(--quire-focus, #0969da); }
.quire-history-day { font-size: 12px; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.03em; color: var(--quire-muted, #57606a); padding: 0.6rem 0.4rem 0.2rem; }
.quire-history-option { display: grid; grid-template-columns: auto 1fr; column-gap: 0.5rem;
  padding: 0.35rem 0.5rem; border-radius: 6px; cursor: pointer; border: 1px solid transparent; }
.quire-history-option:hover { background: var(--quire-hover-bg, #f6f8fa); }
.quire-history-time { font-weight: 600; font-variant-numeric: tabular-nums; }
.quire-history-kind { color: var(--quire-muted, #57606a); font-size: 12px; align-self: center; }
.quire-history-label { grid-column: 1 / -1; font-weight: 600; color: var(--quire-accent-fg, #0550ae);
  overflow-wrap: anywhere; }
.quire-history-authors { grid-column: 1 / -1; font-size: 12px; color: var(--quire-muted, #57606a);
  overflow-wrap: anywhere; }
.quire-history-option.quire-is-primary { background: var(--quire-accent-bg, #ddf4ff);
  border-color: var(--quire-accent, #0969da); }
.quire-history-option.quire-is-compare { border-style: dashed; border-color: var(--quire-accent, #0969da); }
.quire-history-option.quire-is-compare::after { content: "compared"; grid-column: 1 / -1;
  font-size: 11px; color: var(--quire-accent-fg, #0550ae); }
.quire-history-list:focus-visible .quire-is-active { outline: 2px solid var(--quire-focus, #0969da);
  outline-offset: 1px; }
.quire-history-detail { min-height: 0; min-width: 0; display: flex; flex-direction: column; }
.quire-history-error { margin: 0.5rem 0.75rem 0; padding: 6px 10px; font-size: 13px;
  border-radius: 6px; background: var(--quire-error-bg, #ffebe9); color: var(--quire-danger, #a40e26); }
.quire-history-main { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.quire-history-diff-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.3rem 0.75rem;
  padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--quire-border, #d0d7de); }
.quire-history-diff-title { font-size: 14px; margin: 0; flex: 1 1 100%; }
.quire-history-compare { font-size: 12px; color: var(--quire-muted, #57606a); }
.quire-history-compare select { max-width: 16rem; }
.quire-history-summary { margin: 0; font-size: 12px; color: var(--quire-muted, #57606a); }
.quire-history-legend { margin: 0 0 0 auto; font-size: 12px; display: flex; gap: 0.4rem; }
.quire-history-legend del { background: var(--quire-diff-del-mark, #ffc1bd);
  color: var(--quire-diff-del-fg, #82071e); padding: 0 4px; border-radius: 3px; }
.quire-history-legend ins { background: var(--quire-diff-ins-mark, #aceebb);
  color: var(--quire-diff-ins-fg, #044f1e); padding: 0 4px; border-radius: 3px; text-decoration: none; }
.quire-history-diff { flex: 1; min-height: 10rem; display: flex; overflow: hidden; }
.quire-history-diff .cm-editor { flex: 1; min-width: 0; }
.quire-history-actions { display: flex; gap: 0.5rem; flex-wrap: wrap; padding: 0.5rem 0.75rem;
  border-top: 1px solid var(--quire-border, #d0d7de); }
.quire-dialog { border: 1px solid var(--quire-border, #d0d7de); border-radius: 10px;
  padding: 1rem 1.25rem; max-width: min(28rem, calc(100vw - 2rem)); box-sizing: border-box;
  background: var(--quire-bg, #fff); color: var(--quire-fg, #1f2328);
  box-shadow: 0 8px 24px rgb(140 149 159 / 30%); font: 14px/1.45 system-ui, sans-serif; }
.quire-dialog::backdrop { background: rgb(31 35 40 / 40%); }
.quire-dialog-title { font-size: 16px; margin: 0 0 0.5rem; }
.quire-dialog p { margin: 0 0 1rem; }
.quire-dialog-actions { display: flex; justify-content: flex-end; gap: 0.5rem; }
/* On a phone the panel takes the whole screen: inside a 65vh editor it would be too cramped. */
/* Where the editor is too small to hold the panel (a phone, a short embedded editor) it opens
 * over the page instead: the whole screen on a phone, a framed sheet on a larger one. */
.quire-history.quire-history-overlay { position: fixed; inset: 0; z-index: 2147483000;
  min-height: 0; border-radius: 0; }
@media (min-width: 40rem) {
  .quire-history.quire-history-overlay { inset: 4vh 4vw; border-radius: 10px;
    border: 1px solid var(--quire-border, #d0d7de);
    box-shadow: 0 0 0 100vmax rgb(31 35 40 / 40%), 0 8px 24px rgb(140 149 159 / 30%); }
}
@container (max-width: 40rem) {
  .quire-history-body { grid-template-columns: minmax(0, 1fr);
    grid-template-rows: minmax(9rem, 38%) minmax(0, 1fr); }
  .quire-history-side { border-right: 0; border-bottom: 1px solid var(--quire-border, #d0d7de); }
  .quire-history-hint { display: none; }
  .quire-history-legend { margin-left: 0; }
}
`;
