/** The demo's URL scheme (a public contract): `/` home, `/d/<docName>` one document. */
const DOC_PREFIX = '/d/';

export function docHref(docName: string): string {
  return DOC_PREFIX + docName.split('/').map(encodeURIComponent).join('/');
}

export type Route = { page: 'home' } | { page: 'doc'; docName: string } | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/index.html') return { page: 'home' };
  if (pathname.startsWith(DOC_PREFIX)) {
    try {
      const docName = decodeURIComponent(pathname.slice(DOC_PREFIX.length)).replace(/\/+$/, '');
      return { page: 'doc', docName };
    } catch {
      return { page: 'not-found' };
    }
  }
  return { page: 'not-found' };
}
