/**
 * Rename, delete (with Undo) and restore of one document, through the document API:
 * - rename: POST /api/docs/<name>/rename {to}; the dialog stays open on a refusal and says
 *   why (the name is taken, not a valid name, no access);
 * - delete: asks first (a <dialog>), then DELETE; the toast offers Undo, which is
 *   POST /api/docs/<name>/restore (the server keeps a deleted document restorable for its
 *   retention period, 30 days by default, and lists it under "Recently deleted" meanwhile);
 * - restore: the same POST, from the "Recently deleted" view.
 */
import { isValidDocName } from '@quire/shared';
import { apiCall, docApiPath, type DocSummary } from './docs-api.js';
import { confirmDialog, promptDialog, type Toast } from './dialogs.js';

const label = (doc: DocSummary) => (doc.title ? `“${doc.title}” (${doc.name})` : `“${doc.name}”`);

export async function renameDocument(
  doc: DocSummary,
  toast: Toast,
  changed: () => void,
): Promise<void> {
  const to = await promptDialog({
    title: 'Rename document',
    label: 'New name',
    value: doc.name,
    confirmLabel: 'Rename',
    submit: async (value) => {
      const name = value.normalize('NFC');
      if (name === doc.name) return 'That is its name already.';
      if (!isValidDocName(name)) {
        return 'Use letters, digits, ".", "_" and "-", with "/" between folders.';
      }
      const answer = await apiCall(docApiPath(doc.name, '/rename'), {
        method: 'POST',
        json: { to: name },
      });
      if (answer.ok) return null;
      if (answer.status === 409) return `A document named “${name}” exists already.`;
      if (answer.status === 404) return 'This document is gone (deleted or renamed meanwhile).';
      if (answer.status === 403) return `Your access does not allow this (${answer.error}).`;
      return `The server refused: ${answer.error}.`;
    },
  });
  if (to === null) return;
  toast.show(`Renamed ${label(doc)} to “${to.normalize('NFC')}”.`);
  changed();
}

export async function deleteWithUndo(
  doc: DocSummary,
  toast: Toast,
  changed: () => void,
): Promise<void> {
  const sure = await confirmDialog({
    title: 'Delete document?',
    message: `${label(doc)} will be deleted for everyone who has it open. You can undo this right after, or restore it later from “Recently deleted”.`,
    confirmLabel: 'Delete',
    danger: true,
  });
  if (!sure) return;
  const answer = await apiCall(docApiPath(doc.name), { method: 'DELETE' });
  if (!answer.ok) {
    toast.show(`Could not delete ${label(doc)}: ${answer.error}.`);
    return;
  }
  changed();
  toast.show(`Deleted ${label(doc)}.`, {
    label: 'Undo',
    run: () => void restoreDocument(doc, toast, changed),
  });
}

export async function restoreDocument(
  doc: DocSummary,
  toast: Toast,
  changed: () => void,
): Promise<void> {
  const answer = await apiCall(docApiPath(doc.name, '/restore'), { method: 'POST' });
  toast.show(
    answer.ok ? `Restored ${label(doc)}.` : `Could not restore ${label(doc)}: ${answer.error}.`,
  );
  changed();
}
