/**
 * Jump to a collaborator and follow them: clicking a person in the presence list scrolls to
 * their cursor, then keeps it in view as they move, until you scroll, type, click into the text,
 * press Escape or click them again. A bar above the text says who you follow and how to stop.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { EditorView } from '@codemirror/view';
import { cleanUser } from './awareness-guard.js';
import { absoluteIndex, displayNames } from './remote-carets.js';

export interface FollowOptions {
  view: EditorView;
  ytext: Y.Text;
  awareness: Awareness;
  /** The presence list whose `.quire-person-jump` buttons start following (presence.ts). */
  presenceList: HTMLElement;
  /** The editor's root; the indicator goes in it, right before `before`. */
  root: HTMLElement;
  before: HTMLElement;
}

export interface Follow {
  /** The client followed, or null. */
  following(): number | null;
  follow(clientId: number): void;
  stop(): void;
  destroy(): void;
}

interface CursorJSON {
  head?: unknown;
}

export function mountFollow(options: FollowOptions): Follow {
  const { view, ytext, awareness, presenceList, root } = options;
  const doc = root.ownerDocument;
  let target: number | null = null;

  const bar = doc.createElement('div');
  bar.className = 'quire-following';
  bar.hidden = true;
  const text = doc.createElement('span');
  const stopButton = doc.createElement('button');
  stopButton.type = 'button';
  stopButton.className = 'quire-button';
  stopButton.textContent = 'Stop following';
  bar.append(text, stopButton);
  // Its own live region: "Following Sam" is read out when it starts, like the status is.
  const live = doc.createElement('span');
  live.className = 'quire-visually-hidden';
  live.setAttribute('role', 'status');
  root.insertBefore(bar, options.before);
  root.insertBefore(live, options.before);

  const nameOf = (clientId: number): string =>
    displayNames(awareness).get(clientId) ??
    cleanUser(awareness.getStates().get(clientId)?.user).name;

  const headOf = (clientId: number): number | null => {
    const cursor = awareness.getStates().get(clientId)?.cursor as CursorJSON | null | undefined;
    if (!cursor?.head) return null;
    const index = absoluteIndex(ytext, cursor.head);
    return index !== null && index <= view.state.doc.length ? index : null;
  };

  const scrollTo = (clientId: number, y: 'center' | 'nearest'): boolean => {
    const head = headOf(clientId);
    if (head === null) return false;
    view.dispatch({ effects: EditorView.scrollIntoView(head, { y, yMargin: 48 }) });
    return true;
  };

  const markButtons = (): void => {
    presenceList.querySelectorAll<HTMLElement>('.quire-person-jump').forEach((button) => {
      const id = Number(button.closest<HTMLElement>('[data-client-id]')?.dataset.clientId);
      button.setAttribute('aria-pressed', String(id === target));
    });
  };

  const describe = (clientId: number, hasCursor: boolean): void => {
    const name = nameOf(clientId);
    text.textContent = hasCursor
      ? `Following ${name} — press Esc or scroll to stop`
      : `Following ${name}, who has no cursor in the text yet — press Esc to stop`;
  };

  const stop = (): void => {
    if (target === null) return;
    const name = nameOf(target);
    target = null;
    bar.hidden = true;
    root.classList.remove('quire-is-following');
    live.textContent = `Stopped following ${name}.`;
    markButtons();
  };

  const follow = (clientId: number): void => {
    if (clientId === awareness.clientID || !awareness.getStates().has(clientId)) return;
    target = clientId;
    const hasCursor = scrollTo(clientId, 'center');
    describe(clientId, hasCursor);
    bar.hidden = false;
    root.classList.add('quire-is-following');
    live.textContent = `Following ${nameOf(clientId)}.`;
    markButtons();
  };

  const onListClick = (event: Event): void => {
    const button = (event.target as Element | null)?.closest?.('.quire-person-jump');
    const id = Number(button?.closest<HTMLElement>('[data-client-id]')?.dataset.clientId);
    if (!button || !Number.isInteger(id)) return;
    if (id === target) stop();
    else follow(id);
  };

  const onAwareness = ({
    added,
    updated,
    removed,
  }: {
    added: number[];
    updated: number[];
    removed: number[];
  }): void => {
    if (target === null) return;
    if (removed.includes(target)) {
      stop();
      return;
    }
    if (!added.includes(target) && !updated.includes(target)) return;
    const id = target;
    // After the view has applied the edit that moved them (it may arrive in the same tick).
    queueMicrotask(() => {
      if (target !== id) return;
      describe(id, scrollTo(id, 'nearest'));
    });
  };

  // What "you take over" means: your own scrolling, typing or clicking into the text.
  const takeOver = (): void => stop();
  const onKey = (event: KeyboardEvent): void => {
    if (target !== null && event.key === 'Escape') {
      stop();
      event.preventDefault();
    }
  };

  presenceList.addEventListener('click', onListClick);
  stopButton.addEventListener('click', takeOver);
  view.scrollDOM.addEventListener('wheel', takeOver, { passive: true });
  view.scrollDOM.addEventListener('touchmove', takeOver, { passive: true });
  view.contentDOM.addEventListener('keydown', takeOver);
  view.scrollDOM.addEventListener('mousedown', takeOver);
  doc.addEventListener('keydown', onKey);
  awareness.on('change', onAwareness);
  // The list is re-rendered on every presence change; keep the pressed state on the new buttons.
  const observer = new MutationObserver(markButtons);
  observer.observe(presenceList, { childList: true });

  return {
    following: () => target,
    follow,
    stop,
    destroy() {
      observer.disconnect();
      awareness.off('change', onAwareness);
      doc.removeEventListener('keydown', onKey);
      presenceList.removeEventListener('click', onListClick);
      bar.remove();
      live.remove();
    },
  };
}
