/**
 * The demo's modal questions, on the native <dialog> (focus moves in and back, Esc cancels):
 * a confirmation, and a one-field form whose answer the caller checks (for example with the
 * server) before it closes, so a refusal is shown in the dialog instead of after it. And the
 * toast: a status line with an optional action ("Undo"), read out by screen readers.
 */
import './documents.css';

function button(text: string, className = ''): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (className) b.className = className;
  return b;
}

function openDialog(labelledBy: string, ...children: Node[]): HTMLDialogElement {
  const dialog = document.createElement('dialog');
  dialog.className = 'demo-dialog';
  dialog.setAttribute('aria-labelledby', labelledBy);
  dialog.append(...children);
  document.body.append(dialog);
  dialog.showModal();
  dialog.addEventListener('close', () => dialog.remove());
  return dialog;
}

function heading(id: string, text: string): HTMLHeadingElement {
  const h = document.createElement('h2');
  h.id = id;
  h.textContent = text;
  return h;
}

let dialogCount = 0;

export function confirmDialog(options: {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
}): Promise<boolean> {
  const id = `demo-dialog-${++dialogCount}`;
  const message = document.createElement('p');
  message.textContent = options.message;
  const cancel = button('Cancel');
  const confirm = button(options.confirmLabel, options.danger ? 'demo-danger' : 'demo-primary');
  const actions = document.createElement('div');
  actions.className = 'demo-dialog-actions';
  actions.append(cancel, confirm);
  const dialog = openDialog(id, heading(id, options.title), message, actions);
  // The safe choice has the focus: Enter right away does not delete anything.
  cancel.focus();
  return new Promise((resolve) => {
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      resolve(true);
      dialog.close();
    });
    dialog.addEventListener('close', () => resolve(false));
  });
}

/** Asks for one value; `submit` returns null when it was accepted, else the error to show. */
export function promptDialog(options: {
  title: string;
  label: string;
  value: string;
  confirmLabel: string;
  submit(value: string): Promise<string | null>;
}): Promise<string | null> {
  const id = `demo-dialog-${++dialogCount}`;
  const form = document.createElement('form');
  form.method = 'dialog';
  const label = document.createElement('label');
  label.textContent = options.label;
  const input = document.createElement('input');
  input.value = options.value;
  input.required = true;
  input.id = `${id}-input`;
  label.htmlFor = input.id;
  const error = document.createElement('p');
  error.className = 'demo-error';
  error.setAttribute('role', 'alert');
  const cancel = button('Cancel');
  const confirm = button(options.confirmLabel, 'demo-primary');
  confirm.type = 'submit';
  const actions = document.createElement('div');
  actions.className = 'demo-dialog-actions';
  actions.append(cancel, confirm);
  form.append(label, input, error, actions);
  const dialog = openDialog(id, heading(id, options.title), form);
  input.select();
  return new Promise((resolve) => {
    let accepted: string | null = null;
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      const problem = await options.submit(input.value.trim());
      confirm.disabled = false;
      if (problem === null) {
        accepted = input.value.trim();
        dialog.close();
      } else {
        error.textContent = problem;
        input.focus();
      }
    });
    dialog.addEventListener('close', () => resolve(accepted));
  });
}

/** A status line under the list: one message at a time, with an optional action button. */
export class Toast {
  readonly element = document.createElement('div');
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.element.className = 'demo-toast';
    this.element.id = 'demo-toast';
    this.element.setAttribute('role', 'status');
    this.element.hidden = true;
  }

  /** Shows `message` for `ms` (the action stays usable that long). */
  show(message: string, action?: { label: string; run(): void }, ms = 15_000): void {
    clearTimeout(this.timer);
    const text = document.createElement('span');
    text.textContent = message;
    this.element.replaceChildren(text);
    if (action) {
      const b = button(action.label);
      b.addEventListener('click', () => {
        this.hide();
        action.run();
      });
      this.element.append(b);
    }
    this.element.hidden = false;
    this.timer = setTimeout(() => this.hide(), ms);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.element.hidden = true;
    this.element.replaceChildren();
  }
}
