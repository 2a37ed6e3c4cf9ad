// The console's shell: sign-in, navigation by the URL's fragment, one page at a time.
import { api, session, Problem } from './api.js';
import { h, put } from './dom.js';
import * as overview from './pages/overview.js';
import * as images from './pages/images.js';
import * as terminals from './pages/terminals.js';
import * as terminal from './pages/terminal.js';
import * as groups from './pages/groups.js';
import * as audits from './pages/audits.js';

const routes = [
  [/^#\/overview$/, overview, 'overview'],
  [/^#\/images(?:\/([^/]+))?$/, images, 'images'],
  [/^#\/terminals\/(\d+)$/, terminal, 'terminals'],
  [/^#\/terminals$/, terminals, 'terminals'],
  [/^#\/groups$/, groups, 'groups'],
  [/^#\/audits(?:\/(\d+))?$/, audits, 'audits'],
];

const page = document.getElementById('page');
const nav = document.getElementById('nav');
const signIn = document.getElementById('sign-in');
let leave = null;
let generation = 0;

function showSignIn(message) {
  if (leave) leave();
  leave = null;
  nav.hidden = true;
  put(page);
  signIn.hidden = false;
  const error = document.getElementById('sign-in-error');
  error.hidden = !message;
  error.textContent = message || '';
  document.getElementById('token').focus();
}

async function route() {
  if (!session.token()) {
    showSignIn();
    return;
  }
  signIn.hidden = true;
  nav.hidden = false;
  if (leave) leave();
  leave = null;
  const hash = location.hash || '#/overview';
  const match = routes.map(([pattern, module, name]) => [hash.match(pattern), module, name])
    .find(([m]) => m);
  if (!match) {
    location.replace('#/overview');
    return;
  }
  const [m, module, name] = match;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const mine = ++generation;
  const section = h('section', { class: 'page', 'data-page': name });
  put(page, section);
  const params = m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
  const cleanup = module.render(section, ...params);
  leave = typeof cleanup === 'function' ? cleanup : null;
  if (mine === generation) document.getElementById('main').focus({ preventScroll: true });
}

document.getElementById('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  const token = input.value.trim();
  if (!token) return;
  session.signIn(token);
  try {
    await api('images', { query: { limit: 1 } });
    input.value = '';
    route();
  } catch (error) {
    session.signOut();
    showSignIn(error instanceof Problem && (error.status === 401 || error.status === 403)
      ? 'That is not the admin token.' : (error.title || 'Sign-in failed') + ' ' + (error.detail || ''));
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  showSignIn();
});

window.addEventListener('voi:unauthorized', () => {
  session.signOut();
  showSignIn('The server no longer accepts the token: sign in again.');
});
window.addEventListener('hashchange', route);
route();
