/**
 * document.changed, debounced per document: sent `debounceMs` after the document's last change
 * on this instance, and at most once per `maxIntervalMs` while editing goes on (then the next
 * change opens a new window).
 *
 * The window's outbox row is written at its first change (in the turn that change is stored),
 * due `maxIntervalMs` later: if the server dies during the window, the event is still sent, at
 * that time, with what the row held. While the server lives, the window's end rewrites the row
 * (the last change's time, everyone who changed it, the text if opted in) and makes it due now.
 *
 * Changes heard from other instances (origin 'bus') are theirs to report; so are windows of
 * other instances on the same document (each instance reports its own editors' changes).
 */
import type { ChangeOrigin } from '../room/change-origin.js';
import type { Peer } from '../room/peer.js';
import type { VersionedRoom } from '../history/version-policy.js';
import type { EventFields, EventRecorder } from './event-recorder.js';

export interface ChangeDebounceOptions {
  recorder: EventRecorder;
  debounceMs: number;
  maxIntervalMs: number;
  /** The body fields of the document's text (empty when text is not opted in). */
  textFields(room: VersionedRoom): EventFields;
}

/** Longest author name kept (token subjects are not capped elsewhere). */
const MAX_AUTHOR_LENGTH = 200;
/** Most names one event lists. */
const MAX_AUTHORS = 100;

interface ChangeWindow {
  room: VersionedRoom;
  firstAt: number;
  lastAt: number;
  authors: string[];
  /** Peers already named in `authors` (looked up once per window). */
  named: Set<Peer>;
  /** Peers that changed the document before announcing a name: asked again at the end. */
  unnamed: Set<Peer>;
  row: { revise(fields: EventFields, availableAt: number): void } | null;
  timer: NodeJS.Timeout | null;
}

export class ChangeDebounce {
  private readonly windows = new Map<string, ChangeWindow>();

  constructor(private readonly options: ChangeDebounceOptions) {}

  /** A change a room routed (room.ts `onChange`). */
  changed(room: VersionedRoom, origin: ChangeOrigin): void {
    if (origin.kind === 'bus') return;
    const { recorder, maxIntervalMs } = this.options;
    const now = recorder.now();
    let window = this.windows.get(room.name);
    // Its timer is late (a busy event loop): the window is over, this change opens the next.
    if (window && now >= window.firstAt + maxIntervalMs) {
      this.end(window);
      window = undefined;
    }
    if (!window) {
      window = {
        room,
        firstAt: now,
        lastAt: now,
        authors: [],
        named: new Set(),
        unnamed: new Set(),
        row: null,
        timer: null,
      };
      this.note(window, origin);
      window.row = recorder.open(
        'document.changed',
        room.name,
        this.fields(window),
        now + maxIntervalMs,
      );
      this.windows.set(room.name, window);
      this.arm(window);
      return;
    }
    window.room = room;
    window.lastAt = now;
    this.note(window, origin);
  }

  /** Ends every window now (shutdown): their events are due at once. */
  flushAll(): void {
    for (const window of [...this.windows.values()]) this.end(window);
  }

  /** The document was deleted: its window ends now (the change happened). */
  flush(doc: string): void {
    const window = this.windows.get(doc);
    if (window) this.end(window);
  }

  private arm(window: ChangeWindow): void {
    const { recorder, debounceMs, maxIntervalMs } = this.options;
    const due = Math.min(window.lastAt + debounceMs, window.firstAt + maxIntervalMs);
    // One timer per window that re-arms for what is left, not a reset per keystroke.
    window.timer = setTimeout(
      () => {
        window.timer = null;
        const nowDue = Math.min(window.lastAt + debounceMs, window.firstAt + maxIntervalMs);
        if (recorder.now() >= nowDue) this.end(window);
        else this.arm(window);
      },
      Math.max(0, due - recorder.now()),
    );
    window.timer.unref();
  }

  private end(window: ChangeWindow): void {
    if (window.timer) clearTimeout(window.timer);
    window.timer = null;
    if (this.windows.get(window.room.name) === window) this.windows.delete(window.room.name);
    for (const peer of [...window.unnamed]) this.notePeer(window, peer);
    window.row?.revise(
      { ...this.fields(window), ...this.options.textFields(window.room) },
      this.options.recorder.now(),
    );
  }

  private fields(window: ChangeWindow): EventFields {
    return { at: window.lastAt, since: window.firstAt, changedBy: [...window.authors] };
  }

  private note(window: ChangeWindow, origin: ChangeOrigin): void {
    if (origin.kind === 'connection') this.notePeer(window, origin.peer);
    else if (origin.kind !== 'bus' && origin.actor !== undefined) addAuthor(window, origin.actor);
  }

  private notePeer(window: ChangeWindow, peer: Peer): void {
    if (window.named.has(peer)) return;
    const name = window.room.authorName(peer);
    if (name === null) {
      window.unnamed.add(peer);
      return;
    }
    window.unnamed.delete(peer);
    window.named.add(peer);
    addAuthor(window, name);
  }
}

function addAuthor(window: ChangeWindow, name: string): void {
  const kept = name.slice(0, MAX_AUTHOR_LENGTH);
  if (kept !== '' && window.authors.length < MAX_AUTHORS && !window.authors.includes(kept)) {
    window.authors.push(kept);
  }
}
