/** The demo app served by quire-server on `/` (SPA fallback sends every page route here). */
import './demo.css';
import { bindNameField, loadIdentity } from './identity.js';
import { renderDocPage } from './doc-page.js';
import { renderHome } from './home.js';
import { parseRoute } from './routes.js';
import type { QuireEditor } from '../editor.js';
import { applyThemeSetting, loadThemeSetting, mountThemeToggle } from '../theme-toggle.js';
import { registerServiceWorker } from './service-worker-registration.js';

// The offline app shell: this page opens again with the network or the server down.
registerServiceWorker();
const themeSetting = loadThemeSetting();
applyThemeSetting(themeSetting);

const app = document.getElementById('app') as HTMLElement;
const nameField = document.getElementById('display-name') as HTMLInputElement;
const identity = loadIdentity();
let editor: QuireEditor | null = null;
bindNameField(nameField, identity, (next) => editor?.setUser(next));
mountThemeToggle(document.querySelector('.demo-header') as HTMLElement, themeSetting, (setting) =>
  editor?.setTheme(setting),
);

const route = parseRoute(location.pathname);
if (route.page === 'home') {
  void renderHome(app);
} else if (route.page === 'doc') {
  editor = renderDocPage(app, route.docName, identity, themeSetting);
} else {
  const message = document.createElement('p');
  message.textContent = 'Page not found. ';
  const home = document.createElement('a');
  home.href = '/';
  home.textContent = 'All documents';
  message.append(home);
  app.replaceChildren(message);
}
