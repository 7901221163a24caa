/*
 * The console shell every HQ page shares, served as /web/shared/console.js (with /web/shared/console.css).
 *
 * How a page uses it:
 *   - its index.html loads /web/shared/console.css (then its own CSS) and its own module; the body holds the
 *     page's markup: optionally a `<header class="bar">` (title and page controls), a `<main>` (what the page
 *     fills) and dialogs. Without a header or a main the shell makes them. No sign-in form, nav or sign-out
 *     button of its own: the shell has them.
 *   - the module calls `const { api, me, main, signOut } = await mountConsole({ active: 'org', title: ['门店与员工', 'Stores and staff'] })`
 *     (`active` is a NAV key, or a function of `me` answering one when it depends on the role, as on /hq)
 *     first thing. The promise resolves once a token is signed in and the role may use the page; otherwise the
 *     shell shows its sign-in form (or the reason) and the promise never resolves (a sign-in reloads the page).
 *   - `api` is createApi (shared/api.js) with the shared token and `?corpId=` of the signed-in corp;
 *     `consoleApi(options)` makes one with the page's own errors / message and the same token and corp.
 *   - `me` is GET /api/me: `{ role, corp: { corpId, name }, staff, store, today }` (staff / store are null for
 *     corp-wide tokens; for the bootstrap admin `corp` is the first corp of /api/corps).
 *   - `signOut(message)` (on a 401): forgets the token and shows the sign-in form with the message.
 *   - `setActive(key)` marks another nav entry as current (the /hq tabs).
 * One token for every console page: localStorage `siyu.hq.token`; `#token=…` in the address is taken over (the
 * fragment never reaches a server log) and leaves the address bar. Staff tokens are handed to the staff page /m.
 * A new page: add its entry to NAV with the roles that may open it, and its files to FILES in web.route.ts.
 */
/* global document, window, localStorage, location, history, URLSearchParams */
import { ApiError, createApi } from './api.js';
import { bi, el } from './dom.js';

export const TOKEN_KEY = 'siyu.hq.token';

const CORP = ['hq_admin', 'marketer'];
const ALL = ['hq_admin', 'marketer', 'store_manager'];

/** The navigation: key, href, [zh-CN, English], roles that see it. */
export const NAV = [
  { key: 'exec', href: '/hq#exec', label: ['总览/执行', 'Overview'], roles: ALL },
  { key: 'customers', href: '/hq/customers', label: ['客户', 'Customers'], roles: ALL },
  { key: 'tags', href: '/hq/tags', label: ['标签', 'Tags'], roles: CORP },
  { key: 'groups', href: '/hq/groups', label: ['客户群', 'Groups'], roles: CORP },
  { key: 'content', href: '/hq#content', label: ['SOP & 内容', 'SOPs & content'], roles: CORP },
  { key: 'live-codes', href: '/hq/live-codes', label: ['渠道活码', 'Live codes'], roles: CORP },
  { key: 'campaigns', href: '/hq/campaigns', label: ['加粉活动', 'Campaigns'], roles: CORP },
  { key: 'experiments', href: '/experiments', label: ['A/B 实验', 'Experiments'], roles: CORP },
  { key: 'handover', href: '/hq/handover', label: ['客户继承', 'Handover'], roles: ['hq_admin', 'store_manager'] },
  { key: 'knowledge', href: '/hq/knowledge', label: ['知识库', 'Knowledge base'], roles: CORP },
  { key: 'service', href: '/service', label: ['客服', 'Service'], roles: ALL },
  { key: 'org', href: '/hq/org', label: ['门店与员工', 'Stores and staff'], roles: CORP },
  { key: 'settings', href: '/hq/settings', label: ['设置', 'Settings'], roles: CORP },
];

const ROLE_NAMES = { hq_admin: ['总部管理员', 'HQ admin'], marketer: ['营销', 'Marketer'], store_manager: ['店长', 'Store manager'], staff: ['导购', 'Staff'] };

const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '令牌无效或已过期，请重新登录。Token invalid or expired.',
  403: '此令牌没有这项权限。This token lacks the permission.',
  404: '找不到该记录。Not found.',
  409: '状态冲突。Conflict.',
  500: '服务器出错了，请稍后重试。Server error.',
};

const token = () => localStorage.getItem(TOKEN_KEY);
const shell = { corpId: null };

/** An api client with the console's token and corp, and the page's own options (errors, message, accept). */
export function consoleApi(options = {}) {
  return createApi({ token, query: () => ({ corpId: shell.corpId }), accept: 'application/json', errors: ERRORS, ...options });
}

/** `#token=…` → localStorage; only the token leaves the address bar (the rest of the fragment is the page's). */
function takeTokenFromAddress() {
  const params = new URLSearchParams(location.hash.slice(1));
  const handed = params.get('token');
  if (!handed) return false;
  localStorage.setItem(TOKEN_KEY, handed);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  return true;
}

/** The page's header (made when missing) with the phone menu button first. */
function header(title) {
  let bar = document.querySelector('body > header.bar');
  if (!bar) {
    bar = el('header', { class: 'bar' }, el('h1', {}, ...bi(title)));
    document.body.prepend(bar);
  }
  return bar;
}

function layout(title) {
  const bar = header(title);
  let main = document.querySelector('body > main');
  if (!main) main = el('main', { class: 'page' });
  const menu = el('button', { type: 'button', id: 'cs-menu', class: 'cs-menu', 'aria-controls': 'cs-nav', 'aria-expanded': 'false', 'aria-label': '菜单 Menu' }, el('span', { 'aria-hidden': 'true', text: '☰' }));
  bar.prepend(menu);
  const nav = el('nav', { id: 'cs-nav', class: 'cs-nav', 'aria-label': '控制台导航 Console' },
    el('a', { class: 'cs-brand', href: '/hq' }, '私域 ', el('span', { lang: 'en', text: 'Siyu' })),
    el('ul', { id: 'cs-links', class: 'cs-links' }),
    el('div', { id: 'cs-who', class: 'cs-who' }),
  );
  const body = el('div', { class: 'cs-body' }, bar, main);
  // Everything else the page put in the body (dialogs) stays after the shell.
  const rest = [...document.body.children].filter((n) => n !== bar && n !== main && n.tagName !== 'SCRIPT');
  const root = el('div', { class: 'cs-root' }, nav, el('div', { class: 'cs-scrim', id: 'cs-scrim', hidden: true }), body);
  document.body.prepend(root);
  for (const n of rest) document.body.append(n);
  document.body.classList.add('console');
  const setOpen = (open) => {
    document.body.classList.toggle('cs-open', open);
    menu.setAttribute('aria-expanded', String(open));
    document.getElementById('cs-scrim').hidden = !open;
  };
  menu.addEventListener('click', () => setOpen(!document.body.classList.contains('cs-open')));
  document.getElementById('cs-scrim').addEventListener('click', () => setOpen(false));
  window.addEventListener('keydown', (e) => e.key === 'Escape' && setOpen(false));
  return { main };
}

function renderNav(me, active) {
  const items = NAV.filter((n) => n.roles.includes(me.role));
  document.getElementById('cs-links').replaceChildren(
    ...items.map((n) => el('li', {}, el('a', { href: n.href, 'data-key': n.key, 'aria-current': n.key === active ? 'page' : null }, ...bi(n.label)))),
  );
  const who = [me.corp?.name, me.store ? `${me.store.name}` : null, me.staff?.name].filter(Boolean).join(' · ');
  document.getElementById('cs-who').replaceChildren(
    el('p', { class: 'cs-role' }, ...bi(ROLE_NAMES[me.role] ?? [me.role, ''])),
    el('p', { class: 'cs-corp', text: who }),
    el('button', { type: 'button', id: 'sign-out', class: 'cs-signout', onclick: () => signOut('') }, ...bi(['退出', 'Sign out'])),
  );
  return items;
}

/** Marks the nav entry with this key as the current page. */
export function setActive(key) {
  for (const a of document.querySelectorAll('#cs-links a')) {
    if (a.dataset.key === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** The shell's notice in place of the page (sign-in, not allowed, errors while signing in). */
function notice(...children) {
  const main = document.querySelector('.cs-body > main');
  for (const c of main.children) c.hidden = true;
  document.getElementById('cs-notice')?.remove();
  const box = el('section', { id: 'cs-notice', class: 'cs-notice notice' }, ...children);
  main.prepend(box);
  main.hidden = false;
  return box;
}

function signInForm(message) {
  const input = el('input', { type: 'password', id: 'token-input', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true });
  notice(
    el('h2', { id: 'signin-heading' }, ...bi(['登录', 'Sign in'])),
    message ? el('p', { class: 'error', role: 'alert', text: message }) : null,
    el('p', { text: '粘贴总部管理员、营销人员或店长的 API 令牌。令牌只保存在本浏览器中，控制台各页面共用。' }),
    el('p', { lang: 'en', class: 'muted', text: 'Paste an HQ admin, marketer or store-manager API token. It is kept in this browser only and shared by every console page.' }),
    el('form', { id: 'signin-form', class: 'row', onsubmit: (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      localStorage.setItem(TOKEN_KEY, value);
      location.reload();
    } },
      el('label', { for: 'token-input' }, ...bi(['API 令牌', 'API token'])),
      input,
      el('button', { type: 'submit', class: 'btn primary' }, ...bi(['登录', 'Sign in'])),
    ),
  );
  document.getElementById('cs-links')?.replaceChildren();
  document.getElementById('cs-who')?.replaceChildren();
}

/** Forgets the token and shows the sign-in form with the message (a 401 on any page). */
export function signOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  shell.corpId = null;
  signInForm(message);
}

const never = () => new Promise(() => {});

/**
 * Mounts the shell: `active` is the NAV key of this page (or `(me) => key`), `title` its [zh-CN, English] name. Resolves to
 * `{ api, me, main, signOut, setActive }` once signed in with a role that may use the page.
 */
export async function mountConsole({ active, title }) {
  document.title = `${title[0]} · 私域`;
  takeTokenFromAddress();
  // A link with #token= opened on the page already showing: same document, so sign in again from the top.
  window.addEventListener('hashchange', () => takeTokenFromAddress() && location.reload());
  const { main } = layout(title);
  if (!token()) {
    signInForm('');
    return never();
  }
  const api = consoleApi();
  let me;
  try {
    me = await api('/api/me');
    if (!me.corp && me.role === 'hq_admin') {
      // The bootstrap admin serves every corp: the console shows the first one.
      const first = (await api('/api/corps')).items[0];
      me.corp = first ? { corpId: first.corpId, name: first.name } : null;
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signOut(ERRORS[401]);
    else notice(el('p', { class: 'error', role: 'alert', text: err instanceof ApiError ? err.message : `${ERRORS[500]} ${err?.message ?? ''}` }));
    return never();
  }
  if (me.role === 'staff') {
    // Staff work on the phone page: it takes the token over by the same #token= hand-over.
    const handed = token();
    localStorage.removeItem(TOKEN_KEY);
    location.replace(`/m#token=${encodeURIComponent(handed)}`);
    return never();
  }
  shell.corpId = me.corp?.corpId ?? null;
  const key = typeof active === 'function' ? active(me) : active;
  const items = renderNav(me, key);
  if (!items.some((n) => n.key === key)) {
    const first = items[0];
    notice(
      el('h2', {}, ...bi(['此页面不对你的角色开放', 'Not available for your role'])),
      el('p', { text: `你以「${ROLE_NAMES[me.role]?.[0] ?? me.role}」登录，请从导航中选择可用的页面（手机上点左上角的菜单）。` }),
      el('p', { lang: 'en', class: 'muted', text: 'Pick a page you may use from the navigation.' }),
      first ? el('p', {}, el('a', { class: 'btn', href: first.href }, ...bi(first.label))) : null,
    );
    return never();
  }
  return { api, me, main, signOut, setActive };
}
