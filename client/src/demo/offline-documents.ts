/**
 * The home page's "On this device" section: the documents this browser keeps an offline copy
 * of. They open with the network or the server down (the service worker serves the page, the
 * editor shows the copy), so this is the list that still works when the server's does not.
 * It starts hidden: the home page shows it when the server's list cannot be loaded.
 */
import './offline.css';
import { listOfflineCopies, type OfflineCopy } from './offline-index.js';
import { docHref } from './routes.js';

export function renderOfflineDocuments(copies: OfflineCopy[] = listOfflineCopies()): HTMLElement {
  const section = document.createElement('section');
  section.className = 'demo-offline-docs';
  section.setAttribute('aria-labelledby', 'offline-docs-title');
  section.hidden = true;
  const title = document.createElement('h2');
  title.id = 'offline-docs-title';
  title.textContent = 'On this device';
  const help = document.createElement('p');
  help.className = 'demo-help';
  help.textContent =
    copies.length === 0
      ? 'Documents you open here are kept on this device, so they open without a network too.'
      : 'These open without a network too; edits made offline are sent when the server is back.';
  const list = document.createElement('ul');
  list.className = 'demo-docs';
  list.id = 'offline-doc-list';
  for (const copy of copies) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = docHref(copy.name);
    link.textContent = copy.name;
    const meta = document.createElement('span');
    meta.className = 'demo-meta';
    const opened = new Date(copy.lastOpened);
    const time = document.createElement('time');
    time.dateTime = opened.toISOString();
    time.textContent = opened.toLocaleString();
    meta.append(' · last opened ', time);
    item.append(link, meta);
    list.append(item);
  }
  section.append(title, help);
  if (copies.length > 0) section.append(list);
  return section;
}
