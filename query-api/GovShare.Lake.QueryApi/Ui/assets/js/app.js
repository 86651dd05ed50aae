// The shell: sign-in, the header (purpose, language, account), the navigation the account's roles allow, and a hash router
// that loads each page module from ./pages/<id>.js. A page module exports render(view, ctx) and adds its own strings.
import { t, addStrings, setLang, lang, onLangChange, localName } from './i18n.js';
import { get, post, del, setCsrfToken, getPurpose, setPurpose, onUnauthorized, forgetSessionState, ApiError } from './api.js';
import { h, fill, field, errorText, errorBox, loading, toast } from './ui.js';
import { shellStrings } from './strings.js';

addStrings(shellStrings);

const A = 'analyst', P = 'provider_admin', R = 'reviewer', O = 'operator';

/** The pages, in navigation order, with the roles that see them. */
export const pages = [
  { id: 'catalogue', roles: [A, P, R, O] },
  { id: 'sql', roles: [A, R, O] },
  { id: 'lookup', roles: [A, R, O] },
  { id: 'requests', roles: [A, P, O] },
  { id: 'mismatches', roles: [A, P, R, O] },
  { id: 'freshness', roles: [A, P, R, O] },
  { id: 'scorecards', roles: [P, R, O] },
  { id: 'audit', roles: [O] },
  { id: 'accounts', roles: [O] },
  { id: 'jobs', roles: [O] },
];

const root = document.getElementById('app');
let session = null;
let renderToken = 0;

function hasRole(...roles) {
  return Boolean(session) && session.account.roles.some((r) => roles.includes(r));
}

function visiblePages() {
  return pages.filter((p) => hasRole(...p.roles));
}

/** The current route: #/page/param1/param2?query */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search] = hash.split('?');
  const [id, ...params] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { id: id || visiblePages()[0]?.id || 'catalogue', params, query: new URLSearchParams(search ?? '') };
}

/** Goes to a route ('#/catalogue/x' or 'catalogue/x'). */
export function navigate(target) {
  const hash = target.startsWith('#') ? target : `#/${target.replace(/^\//, '')}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function boot() {
  try {
    session = await get('/api/session', { quiet401: true });
    setCsrfToken(session.csrfToken);
  } catch (error) {
    session = null;
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 400)) {
      fill(root, h('main', { class: 'signin' }, errorBox(error)));
      return;
    }
  }
  render();
}

function render() {
  const skip = document.querySelector('.skip-link');
  if (skip) skip.textContent = t('shell.skip');
  if (!session) {
    renderSignIn();
    return;
  }
  if (session.account.mustChangePassword) {
    renderShell(renderPassword, 'password', true);
    return;
  }
  const current = route();
  if (current.id === 'password') {
    renderShell(renderPassword, 'password', false);
    return;
  }
  renderShell((view) => renderPage(view, current), current.id, false);
}

function languageSwitch() {
  const other = lang() === 'zh' ? 'en' : 'zh';
  return h('button', {
    type: 'button', class: 'lang-switch', lang: other === 'zh' ? 'zh-CN' : 'en', 'aria-label': t('shell.switchLanguage'),
    on: { click: () => setLang(other) },
  }, other === 'zh' ? '中文' : 'English');
}

function renderSignIn(message) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: !message }, message ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('signin.submit'));
  const form = h('form', {
    class: 'signin-form', 'aria-labelledby': 'signin-title',
    on: {
      submit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        problem.hidden = true;
        try {
          session = await post('/api/session', { username: username.value, password: password.value }, { quiet401: true });
          setCsrfToken(session.csrfToken);
          render();
        } catch (error) {
          const key = error.status === 423 ? 'signin.locked' : error.status === 403 ? 'signin.disabled' : error.status === 401 ? 'signin.wrong' : null;
          problem.textContent = key ? t(key) : errorText(error);
          problem.hidden = false;
          password.value = '';
          password.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
  },
  h('h1', { id: 'signin-title', text: t('signin.title') }),
  h('p', { class: 'muted', text: t('signin.intro') }),
  problem,
  field(t('signin.username'), username),
  field(t('signin.password'), password),
  submit);
  fill(root, h('main', { id: 'main', class: 'signin' },
    h('div', { class: 'signin-top' }, h('span', { class: 'brand' }, h('img', { src: '/ui/favicon.svg', alt: '', width: 28, height: 28 }), t('shell.product')), languageSwitch()),
    form));
  username.focus();
}

function renderShell(fillMain, activeId, locked) {
  const account = session.account;
  const purpose = h('input', {
    id: 'purpose', value: getPurpose(), placeholder: t('shell.purposePlaceholder'), maxlength: 200, 'aria-label': t('shell.purpose'),
    on: { change: (event) => setPurpose(event.target.value) },
  });
  const nav = h('nav', { class: 'sidebar', 'aria-label': t('shell.navigation') },
    h('ul', null, locked ? null : visiblePages().map((p) => h('li', null,
      h('a', { href: `#/${p.id}`, 'aria-current': p.id === activeId ? 'page' : null, class: p.id === activeId ? 'active' : null }, t(`nav.${p.id}`))))));
  const main = h('main', { id: 'main', class: 'content', tabindex: '-1' });
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' }, h('img', { src: '/ui/favicon.svg', alt: '', width: 24, height: 24 }), t('shell.product')),
    h('div', { class: 'purpose' }, h('label', { for: 'purpose', text: t('shell.purpose') }), purpose),
    h('div', { class: 'account' },
      languageSwitch(),
      h('span', { class: 'who', title: account.username },
        `${account.displayName} · ${localName(account.agency)} · ${account.roles.map((r) => t(`role.${r}`)).join('、')}`),
      h('a', { href: '#/password', class: 'link' }, t('shell.changePassword')),
      h('button', { type: 'button', class: 'secondary', on: { click: signOut } }, t('shell.signOut'))));
  fill(root, header, h('div', { class: 'layout' }, nav, main));
  fillMain(main);
}

async function signOut() {
  try {
    await del('/api/session');
  } catch {
    // The session may have ended already; the sign-in page follows either way.
  }
  session = null;
  setCsrfToken(null);
  forgetSessionState();
  renderSignIn();
}

async function renderPage(view, current) {
  const token = ++renderToken;
  const page = pages.find((p) => p.id === current.id);
  if (!page || !hasRole(...page.roles)) {
    fill(view, h('h1', { text: t('shell.notFound') }), h('p', { text: t('shell.notFoundText') }));
    return;
  }
  document.title = `${t(`nav.${page.id}`)} · GovShare Lake`;
  fill(view, loading());
  try {
    const module = await import(`./pages/${page.id}.js`);
    if (token !== renderToken) return;
    view.replaceChildren();
    await module.render(view, { session, params: current.params, query: current.query, navigate, hasRole, rerender: render });
    if (token === renderToken) view.querySelector('h1')?.setAttribute('tabindex', '-1');
  } catch (error) {
    if (token !== renderToken) return;
    console.warn(error);
    fill(view, errorBox(error));
  }
}

function renderPassword(view) {
  const current = h('input', { type: 'password', autocomplete: 'current-password', name: 'current' });
  const next = h('input', { type: 'password', autocomplete: 'new-password', name: 'new' });
  const again = h('input', { type: 'password', autocomplete: 'new-password', name: 'again' });
  const problem = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('password.submit'));
  fill(view,
    h('h1', { text: t('password.title') }),
    session.account.mustChangePassword ? h('div', { class: 'alert alert-warn' }, t('password.mustChange')) : null,
    h('form', {
      class: 'narrow-form',
      on: {
        submit: async (event) => {
          event.preventDefault();
          problem.hidden = true;
          if (next.value !== again.value) {
            problem.textContent = t('password.mismatch');
            problem.hidden = false;
            return;
          }
          submit.disabled = true;
          try {
            await post('/api/session/password', { currentPassword: current.value, newPassword: next.value });
            session = await get('/api/session');
            setCsrfToken(session.csrfToken);
            toast(t('password.done'));
            navigate('#/');
          } catch (error) {
            problem.textContent = errorText(error);
            problem.hidden = false;
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    problem,
    field(t('password.current'), current),
    field(t('password.new'), next, t('password.rules')),
    field(t('password.again'), again),
    submit));
}

onUnauthorized(() => {
  if (!session) return;
  session = null;
  forgetSessionState();
  renderSignIn(t('signin.expired'));
});
onLangChange(render);
// Only page addresses (#/...) route; the skip link moves the focus to the page instead of navigating.
window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) render();
});
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main')?.focus();
});
boot();
