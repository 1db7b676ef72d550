/**
 * A modal question with two answers, on a `<dialog>`: the browser traps focus inside it, Escape
 * cancels, and the rest of the page is inert meanwhile. Focus starts on the safe answer (a
 * destructive action must be a deliberate second step) and returns to where it was.
 */
export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel?: string;
}

export interface ConfirmDialog {
  /** Resolves true for the confirming answer, false for cancel, Escape or a replaced question. */
  ask(options: ConfirmOptions): Promise<boolean>;
  destroy(): void;
}

let nextId = 0;

export function mountConfirmDialog(parent: HTMLElement): ConfirmDialog {
  const doc = parent.ownerDocument;
  const id = `quire-confirm-${++nextId}`;
  const dialog = doc.createElement('dialog');
  dialog.className = 'quire-dialog';
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  dialog.setAttribute('aria-describedby', `${id}-message`);
  const title = doc.createElement('h2');
  title.id = `${id}-title`;
  title.className = 'quire-dialog-title';
  const message = doc.createElement('p');
  message.id = `${id}-message`;
  const actions = doc.createElement('div');
  actions.className = 'quire-dialog-actions';
  const cancel = doc.createElement('button');
  cancel.type = 'button';
  cancel.className = 'quire-button';
  const confirm = doc.createElement('button');
  confirm.type = 'button';
  confirm.className = 'quire-button quire-button-danger';
  actions.append(cancel, confirm);
  dialog.append(title, message, actions);
  parent.append(dialog);

  let settle: ((answer: boolean) => void) | null = null;
  let returnFocus: HTMLElement | null = null;
  const finish = (answer: boolean): void => {
    const done = settle;
    settle = null;
    if (dialog.open) dialog.close();
    returnFocus?.focus();
    returnFocus = null;
    done?.(answer);
  };
  cancel.addEventListener('click', () => finish(false));
  confirm.addEventListener('click', () => finish(true));
  // Escape: the browser closes the dialog; answer "no" instead of leaving the promise hanging.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    finish(false);
  });
  // Escape must not also reach the panel around the dialog and close it.
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') event.stopPropagation();
  });

  return {
    ask(options) {
      finish(false);
      title.textContent = options.title;
      message.textContent = options.message;
      confirm.textContent = options.confirmLabel;
      cancel.textContent = options.cancelLabel ?? 'Cancel';
      const active = (parent.getRootNode() as Document | ShadowRoot).activeElement;
      returnFocus = active instanceof HTMLElement ? active : null;
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      cancel.focus();
      return new Promise<boolean>((resolve) => {
        settle = resolve;
      });
    },
    destroy() {
      finish(false);
      dialog.remove();
    },
  };
}
