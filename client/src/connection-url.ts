/** Where the editor connects: the server URL normalized and the document's path under it. */

/** `http(s)://` → `ws(s)://`, trailing slashes removed. */
export function toWebSocketUrl(serverUrl: string): string {
  const trimmed = serverUrl.replace(/\/+$/, '');
  if (trimmed.startsWith('https://')) return `wss://${trimmed.slice('https://'.length)}`;
  if (trimmed.startsWith('http://')) return `ws://${trimmed.slice('http://'.length)}`;
  return trimmed;
}

/** Each `/`-separated segment percent-encoded: the server decodes the path once. */
export function docPath(docName: string): string {
  return docName.split('/').map(encodeURIComponent).join('/');
}
