/**
 * The versions as one keyboard-driven listbox, grouped by day. Focus stays on the listbox and
 * `aria-activedescendant` names the active option, so Tab leaves the list in one step. Selection
 * follows the arrow keys (the diff shows at once); Shift with a click, an arrow, Enter or Space
 * picks a second version to compare with instead.
 */
import type { VersionInfo } from './api.js';
import { formatAuthors, formatTime, groupByDay, kindLabel, type FormatOptions } from './group.js';

export interface Selection {
  /** The version shown, and the one "Restore" restores. */
  primary: string | null;
  /** A second version to compare with; null compares with the current text. */
  compare: string | null;
}

export interface VersionList {
  element: HTMLElement;
  render(versions: readonly VersionInfo[], now: number): void;
  selection(): Selection;
  select(next: Selection): void;
  onSelect(listener: (selection: Selection) => void): void;
  focus(): void;
}

let nextListId = 0;

/** The option's name for screen readers: one sentence rather than run-together fragments. */
export function versionDescription(version: VersionInfo, format: FormatOptions = {}): string {
  // In the order the option shows them: its accessible name must contain its visible text
  // (WCAG 2.5.3), so speech users can say what they see.
  const parts = [formatTime(version.createdAt, format), kindLabel(version.kind).toLowerCase()];
  if (version.label) parts.push(`“${version.label}”`);
  const authors = formatAuthors(version.authors);
  if (authors) parts.push(`by ${authors}`);
  return parts.join(', ');
}

export function mountVersionList(parent: HTMLElement, format: FormatOptions = {}): VersionList {
  const doc = parent.ownerDocument;
  const prefix = `quire-versions-${++nextListId}`;
  const list = doc.createElement('div');
  list.className = 'quire-history-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Versions');
  list.setAttribute('aria-multiselectable', 'true');
  list.tabIndex = 0;
  parent.append(list);

  let order: string[] = [];
  const options = new Map<string, HTMLElement>();
  let current: Selection = { primary: null, compare: null };
  let active: string | null = null;
  const listeners: Array<(selection: Selection) => void> = [];
  const optionId = (id: string) => `${prefix}-${order.indexOf(id)}`;

  const paint = (): void => {
    for (const [id, option] of options) {
      const isPrimary = id === current.primary;
      const isCompare = id === current.compare;
      option.setAttribute('aria-selected', String(isPrimary || isCompare));
      option.classList.toggle('quire-is-primary', isPrimary);
      option.classList.toggle('quire-is-compare', isCompare);
      option.classList.toggle('quire-is-active', id === active);
    }
    if (active !== null && options.has(active)) {
      list.setAttribute('aria-activedescendant', optionId(active));
      options.get(active)?.scrollIntoView?.({ block: 'nearest' });
    } else {
      list.removeAttribute('aria-activedescendant');
    }
  };

  const choose = (next: Selection, emit = true): void => {
    const primary = next.primary !== null && options.has(next.primary) ? next.primary : null;
    const compare =
      next.compare !== null && next.compare !== primary && options.has(next.compare)
        ? next.compare
        : null;
    const changed = primary !== current.primary || compare !== current.compare;
    current = { primary, compare };
    paint();
    if (changed && emit) listeners.forEach((l) => l(current));
  };

  const pick = (id: string, asCompare: boolean): void => {
    active = id;
    if (asCompare && current.primary !== null && id !== current.primary) {
      choose({ primary: current.primary, compare: id });
    } else {
      choose({ primary: id, compare: current.compare === id ? null : current.compare });
    }
  };

  list.addEventListener('keydown', (event) => {
    if (order.length === 0) return;
    const index = active === null ? -1 : order.indexOf(active);
    let target: number | null = null;
    if (event.key === 'ArrowDown') target = Math.min(order.length - 1, index + 1);
    else if (event.key === 'ArrowUp') target = Math.max(0, index - 1);
    else if (event.key === 'Home') target = 0;
    else if (event.key === 'End') target = order.length - 1;
    if (target !== null) {
      event.preventDefault();
      pick(order[target] as string, event.shiftKey);
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && active !== null) {
      event.preventDefault();
      if (event.shiftKey) pick(active, true);
      else choose({ primary: active, compare: null });
    }
  });
  list.addEventListener('focus', () => {
    if (active === null && order.length > 0) pick(current.primary ?? (order[0] as string), false);
  });

  return {
    element: list,
    render(versions, now) {
      order = versions.map((v) => v.id);
      options.clear();
      const groups = groupByDay(versions, now, format);
      list.replaceChildren(
        ...groups.map((group) => {
          const box = doc.createElement('div');
          box.setAttribute('role', 'group');
          const heading = doc.createElement('div');
          heading.className = 'quire-history-day';
          heading.id = `${prefix}-day-${group.key}`;
          heading.textContent = group.heading;
          box.setAttribute('aria-labelledby', heading.id);
          box.append(heading);
          for (const version of group.versions) {
            const option = doc.createElement('div');
            option.setAttribute('role', 'option');
            option.id = optionId(version.id);
            option.className = 'quire-history-option';
            option.dataset.versionId = version.id;
            option.setAttribute('aria-label', versionDescription(version, format));
            const time = doc.createElement('span');
            time.className = 'quire-history-time';
            time.textContent = formatTime(version.createdAt, format);
            const kind = doc.createElement('span');
            kind.className = 'quire-history-kind';
            kind.textContent = kindLabel(version.kind);
            // The spaces keep the visible text readable as words (they take no room in the grid).
            option.append(time, ' ', kind);
            if (version.label) {
              const label = doc.createElement('span');
              label.className = 'quire-history-label';
              label.textContent = version.label;
              option.append(' ', label);
            }
            const authors = formatAuthors(version.authors);
            if (authors) {
              const who = doc.createElement('span');
              who.className = 'quire-history-authors';
              who.textContent = `by ${authors}`;
              option.append(' ', who);
            }
            option.addEventListener('mousedown', (event) => event.preventDefault());
            option.addEventListener('click', (event) => {
              list.focus();
              pick(version.id, event.shiftKey);
            });
            options.set(version.id, option);
            box.append(option);
          }
          return box;
        }),
      );
      if (active !== null && !options.has(active)) active = null;
      choose(current);
    },
    selection: () => current,
    select(next) {
      active = next.primary ?? active;
      choose(next);
    },
    onSelect(listener) {
      listeners.push(listener);
    },
    focus() {
      list.focus();
    },
  };
}
