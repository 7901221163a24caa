/* The 门店与员工 page (/hq/org): stores (edit), staff (role, store, quotas, resign → handover), one-time sign-in
 * links as a QR and a copyable link, API tokens (issue, list, revoke). HQ admins change things; marketers read.
 * In the console shell (shared/console.js). */
/* global document, navigator */

import { ApiError, detailedMessage } from '/web/shared/api.js';
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, announce, bi, el, showError, showProblems as problems, td } from '/web/shared/dom.js';

const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '令牌无效或已过期，请重新登录。Token invalid or expired.',
  403: '此令牌没有这项权限。This token lacks the permission.',
  404: '找不到该记录（或不属于你的范围）。Not found.',
  409: '冲突：代码或账号已存在，或门店仍有在职员工。Conflict.',
  500: '服务器出错了，请稍后重试。Server error.',
};
const ROLES = { hq_admin: ['总部管理员', 'HQ admin'], marketer: ['营销', 'Marketer'], store_manager: ['店长', 'Store manager'], staff: ['导购', 'Staff'] };
const STAFF_STATUS = { active: ['在职', 'Active'], resigned: ['已离职', 'Resigned'] };
// What a new store starts with (server/org/store.schema.ts STORE_POLICY_DEFAULTS): the dispatcher's defaults.
const DEFAULT_QUIET = { start: '21:00', end: '09:00' };
const DEFAULT_CAP = 1;
// A window whose end comes before its start ends on the next day: say so, or 22:00–08:00 reads as a typo.
const quietText = (q) => `${q.start}–${q.end <= q.start ? '次日 ' : ''}${q.end}`;
const capText = (n) => `每人每日 ${n} 条 ${n} a day`;

const api = consoleApi({ errors: ERRORS, message: detailedMessage((d) => `${d.path}: ${d.message}`) });
const state = { me: null, admin: false, stores: [], staff: [], tokens: [], cursor: null, editingStore: null, editingStaff: null, resigning: null };
let shell = null;

const label = (pair) => (pair ? `${pair[0]} ${pair[1]}` : '—');
const time = (d) => (d ? new Date(d).toLocaleString('zh-CN', { hour12: false }) : '—');
const storeName = (id) => state.stores.find((s) => s.id === id)?.name ?? '—';
const staffById = (id) => state.staff.find((s) => s.id === id);

function handle(err) {
  if (err instanceof ApiError && err.status === 401) return shell?.signOut(ERRORS[401]);
  showError(err instanceof ApiError ? err.message : `${ERRORS[500]} ${err?.message ?? ''}`);
}

/* ---------- 门店 Stores ---------- */

function renderStores() {
  $('store-count').textContent = `(${state.stores.length})`;
  const counts = new Map();
  for (const s of state.staff) if (s.status === 'active') counts.set(s.storeId, (counts.get(s.storeId) ?? 0) + 1);
  const body = $('store-table').tBodies[0];
  if (!state.stores.length) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '7', class: 'empty', text: state.admin ? '还没有门店：点「新建门店」添加第一家。No stores yet: add the first one.' : '还没有门店，请总部管理员添加。No stores yet.' })));
    return;
  }
  body.replaceChildren(
    ...state.stores.map((s) =>
      el('tr', { 'data-store-id': s.id },
        el('td', {}, el('strong', { text: s.name }), el('br'), el('code', { class: 'muted', text: s.code })),
        td(`${s.city} · ${s.region}`),
        td(s.timezone),
        td(quietText(s.quietHours ?? DEFAULT_QUIET), 'policy'),
        td(capText(s.dailyCap ?? DEFAULT_CAP), 'policy'),
        td(counts.get(s.id) ?? 0, 'num'),
        el('td', {}, state.admin ? el('button', { type: 'button', class: 'btn small', 'aria-label': `编辑门店 ${s.name} Edit`, onclick: () => openStore(s) }, ...bi(['编辑', 'Edit'])) : null),
      ),
    ),
  );
}

function openStore(store) {
  state.editingStore = store;
  $('store-dialog-heading').replaceChildren(...bi(store ? ['编辑门店', 'Edit store'] : ['新建门店', 'New store']));
  $('store-code').value = store?.code ?? '';
  $('store-name').value = store?.name ?? '';
  $('store-city').value = store?.city ?? '';
  $('store-region').value = store?.region ?? '';
  $('store-tz').value = store?.timezone ?? 'Asia/Shanghai';
  $('store-quiet-start').value = store?.quietHours?.start ?? DEFAULT_QUIET.start;
  $('store-quiet-end').value = store?.quietHours?.end ?? DEFAULT_QUIET.end;
  $('store-cap').value = String(store?.dailyCap ?? DEFAULT_CAP);
  $('store-problems').hidden = true;
  $('store-dialog').showModal();
}

async function saveStore(event) {
  event.preventDefault();
  const body = { code: $('store-code').value.trim(), name: $('store-name').value.trim(), city: $('store-city').value.trim(), region: $('store-region').value.trim(), timezone: $('store-tz').value.trim() };
  body.quietHours = { start: $('store-quiet-start').value, end: $('store-quiet-end').value };
  // The number input answers '' for anything it cannot read; the server checks the range and says why.
  const cap = $('store-cap').value.trim();
  if (!/^\d+$/.test(cap)) return problems($('store-problems'), new Error('每日上限：须为 1–10 的整数 Daily cap: a whole number, 1–10'));
  body.dailyCap = Number(cap);
  try {
    const saved = state.editingStore ? await api(`/api/stores/${state.editingStore.id}`, { method: 'PATCH', body }) : await api('/api/stores', { method: 'POST', body });
    $('store-dialog').close();
    announce(`已保存门店「${saved.name}」 Store saved`);
    await loadOrg();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return handle(err);
    problems($('store-problems'), err);
  }
}

/* ---------- 员工 Staff ---------- */

function visibleStaff() {
  const store = $('filter-store').value;
  const status = $('filter-status').value;
  return state.staff.filter((s) => (!store || s.storeId === store) && (!status || s.status === status));
}

function renderStaff() {
  const list = visibleStaff();
  $('staff-count').textContent = `(${list.length})`;
  const body = $('staff-table').tBodies[0];
  if (!list.length) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '6', class: 'empty', text: state.staff.length ? '没有符合筛选的员工，换个门店或状态试试。No staff match: change the filter.' : '还没有员工：点「新增员工」添加，或从企业微信通讯录同步。No staff yet: add them or sync from WeCom.' })));
    return;
  }
  body.replaceChildren(
    ...list.map((s) =>
      el('tr', { 'data-staff-id': s.id, class: s.status === 'resigned' ? 'resigned' : null },
        el('td', {}, el('strong', { text: s.name }), el('br'), el('code', { class: 'muted', text: s.userId })),
        td(label(ROLES[s.role])),
        td(storeName(s.storeId)),
        el('td', {}, el('span', { class: `badge ${s.status === 'active' ? 'enabled' : 'warn'}`, text: label(STAFF_STATUS[s.status]) })),
        td(`加好友 ${s.quotas.addFriendsPerDay} · 群发 ${s.quotas.massSendsPerDay}`),
        el('td', { class: 'actions' }, staffActions(s)),
      ),
    ),
  );
}

function staffActions(s) {
  if (!state.admin) return [];
  if (s.status === 'resigned') return [el('a', { class: 'btn small', href: handoverHref(s) }, ...bi(['离职继承', 'Hand over']))];
  return [
    el('button', { type: 'button', class: 'btn small', 'aria-label': `编辑 ${s.name} Edit`, onclick: () => openStaff(s) }, ...bi(['编辑', 'Edit'])),
    el('button', { type: 'button', class: 'btn small', 'aria-label': `${s.name} 的登录链接 Sign-in link`, onclick: () => issueLink(s).catch(handle) }, ...bi(['登录链接', 'Sign-in link'])),
    el('button', { type: 'button', class: 'btn small danger-text', 'aria-label': `${s.name} 离职 Resign`, onclick: () => openResign(s) }, ...bi(['离职', 'Resign'])),
  ];
}

const handoverHref = (s) => `/hq/handover?kind=resigned&from=${encodeURIComponent(s.id)}`;

function storeOptions(select, selected) {
  select.replaceChildren(...state.stores.map((s) => el('option', { value: s.id, text: `${s.name}（${s.code}）`, selected: s.id === selected })));
}

function openStaff(staff) {
  state.editingStaff = staff;
  $('staff-dialog-heading').replaceChildren(...bi(staff ? ['编辑员工', 'Edit staff member'] : ['新增员工', 'Add staff member']));
  $('staff-userid').value = staff?.userId ?? '';
  $('staff-userid').disabled = !!staff;
  $('staff-name').value = staff?.name ?? '';
  storeOptions($('staff-store'), staff?.storeId ?? $('filter-store').value);
  $('staff-role').value = staff?.role ?? 'staff';
  $('staff-adds').value = String(staff?.quotas.addFriendsPerDay ?? 20);
  $('staff-mass').value = String(staff?.quotas.massSendsPerDay ?? 1);
  $('staff-problems').hidden = true;
  $('staff-dialog').showModal();
}

async function saveStaff(event) {
  event.preventDefault();
  const quotas = { addFriendsPerDay: Number($('staff-adds').value), massSendsPerDay: Number($('staff-mass').value) };
  const fields = { name: $('staff-name').value.trim(), storeId: $('staff-store').value, role: $('staff-role').value, quotas };
  try {
    const saved = state.editingStaff
      ? await api(`/api/staff/${state.editingStaff.id}`, { method: 'PATCH', body: fields })
      : await api('/api/staff', { method: 'POST', body: { userId: $('staff-userid').value.trim(), ...fields } });
    $('staff-dialog').close();
    announce(`已保存员工「${saved.name}」 Staff member saved`);
    await loadOrg();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return handle(err);
    problems($('staff-problems'), err);
  }
}

function openResign(s) {
  state.resigning = s;
  $('resign-text').textContent = `${s.name}（${s.userId}） · ${storeName(s.storeId)}`;
  $('resign-dialog').showModal();
}

async function resign(event) {
  event.preventDefault();
  const s = state.resigning;
  $('resign-dialog').close();
  if (!s) return;
  await api(`/api/staff/${s.id}`, { method: 'PATCH', body: { status: 'resigned' } });
  await loadOrg();
  // Their customers stay with them until handed over: offer the handover right away, prefilled.
  $('resigned-box').replaceChildren(
    el('span', { text: `${s.name} 已标记离职，其令牌和登录链接已失效。` }),
    el('span', { lang: 'en', text: ' Marked as resigned; their tokens and links no longer work. ' }),
    el('a', { class: 'btn small primary', href: handoverHref(s) }, ...bi(['把其客户交给同事', 'Hand over their customers'])),
  );
  $('resigned-box').hidden = false;
  announce(`${s.name} 已离职 Resigned`);
}

/* ---------- 登录链接 Sign-in links ---------- */

async function issueLink(s) {
  const link = await api(`/api/staff/${s.id}/login-links`, { method: 'POST' });
  $('link-heading').replaceChildren(`${s.name} 的一次性登录链接 `, el('span', { lang: 'en', text: 'One-time sign-in link' }));
  $('link-qr').src = link.qrImage;
  $('link-url').value = link.link;
  $('link-expires').textContent = time(link.expiresAt);
  $('link-box').hidden = false;
  $('link-box').scrollIntoView({ block: 'nearest' });
  announce(`已生成 ${s.name} 的登录链接 Link issued`);
}

async function copy(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    announce('已复制 Copied');
  } catch {
    announce('请按 Ctrl+C 复制已选中的内容 Press Ctrl+C to copy');
  }
}

/* ---------- 令牌 Tokens ---------- */

function renderTokens() {
  $('token-count').textContent = `(${state.tokens.length}${state.cursor ? '+' : ''})`;
  const body = $('token-table').tBodies[0];
  if (!state.tokens.length) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '8', class: 'empty', text: '还没有令牌：在上方签发第一个。No tokens yet: issue one above.' })));
  } else {
    body.replaceChildren(
      ...state.tokens.map((t) => {
        const live = !t.revoked && !t.expired;
        const status = t.revoked ? ['已吊销', 'Revoked'] : t.expired ? ['已过期', 'Expired'] : ['有效', 'Active'];
        return el('tr', { 'data-token-id': t.id, class: live ? null : 'resigned' },
          td(t.name),
          td(label(ROLES[t.role])),
          td(t.staffId ? (staffById(t.staffId)?.name ?? t.staffId) : t.storeId ? storeName(t.storeId) : '—'),
          td(time(t.createdAt), 'time'),
          td(time(t.expiresAt), 'time'),
          td(time(t.lastUsedAt), 'time'),
          el('td', {}, el('span', { class: `badge ${live ? 'enabled' : 'warn'}`, text: label(status) })),
          el('td', {}, live ? el('button', { type: 'button', class: 'btn small danger-text', 'aria-label': `吊销 ${t.name} Revoke`, onclick: () => revoke(t).catch(handle) }, ...bi(['吊销', 'Revoke'])) : null),
        );
      }),
    );
  }
  $('token-more').hidden = !state.cursor;
}

async function loadTokens(more = false) {
  const page = await api('/api/tokens', { params: { limit: 50, cursor: more ? state.cursor : undefined } });
  state.tokens = more ? [...state.tokens, ...page.items] : page.items;
  state.cursor = page.nextCursor ?? null;
  renderTokens();
}

async function issueToken(event) {
  event.preventDefault();
  const name = $('token-name').value.trim();
  if (!name) return showError('请填写令牌名称。Give the token a name.');
  const body = { name, role: $('token-role').value };
  if ($('token-staff').value) body.staffId = $('token-staff').value;
  if ($('token-days').value) body.expiresInDays = Number($('token-days').value);
  const issued = await api('/api/tokens', { method: 'POST', body });
  showError('');
  $('token-value').value = issued.token;
  $('token-secret').hidden = false;
  $('token-name').value = '';
  announce(`已签发令牌「${name}」 Token issued`);
  await loadTokens();
}

async function revoke(t) {
  await api(`/api/tokens/${t.id}`, { method: 'DELETE' });
  announce(`已吊销令牌「${t.name}」 Token revoked`);
  await loadTokens();
}

/* ---------- start ---------- */

async function loadOrg() {
  const [stores, staff] = await Promise.all([api('/api/stores'), api('/api/staff')]);
  state.stores = stores.items;
  state.staff = staff.items;
  const keep = $('filter-store').value;
  $('filter-store').replaceChildren(el('option', { value: '', text: '全部门店 All stores' }), ...state.stores.map((s) => el('option', { value: s.id, text: s.name, selected: s.id === keep })));
  $('token-staff').replaceChildren(el('option', { value: '', text: '不绑定 None' }), ...state.staff.filter((s) => s.status === 'active').map((s) => el('option', { value: s.id, text: `${s.name}（${storeName(s.storeId)}）` })));
  renderStores();
  renderStaff();
}

async function start() {
  shell = await mountConsole({ active: 'org', title: ['门店与员工', 'Stores and staff'] });
  state.me = shell.me;
  state.admin = shell.me.role === 'hq_admin';
  $('corp-name').textContent = shell.me.corp?.name ?? '';
  for (const n of document.querySelectorAll('.admin-only')) n.hidden = !state.admin;
  $('store-new').addEventListener('click', () => openStore(null));
  $('store-form').addEventListener('submit', (e) => saveStore(e).catch(handle));
  $('store-cancel').addEventListener('click', () => $('store-dialog').close());
  $('staff-new').addEventListener('click', () => openStaff(null));
  $('staff-form').addEventListener('submit', (e) => saveStaff(e).catch(handle));
  $('staff-cancel').addEventListener('click', () => $('staff-dialog').close());
  $('resign-form').addEventListener('submit', (e) => resign(e).catch(handle));
  $('resign-cancel').addEventListener('click', () => $('resign-dialog').close());
  $('filter-store').addEventListener('change', renderStaff);
  $('filter-status').addEventListener('change', renderStaff);
  $('link-copy').addEventListener('click', () => copy($('link-url')));
  $('token-copy').addEventListener('click', () => copy($('token-value')));
  $('token-form').addEventListener('submit', (e) => issueToken(e).catch(handle));
  $('token-more').addEventListener('click', () => loadTokens(true).catch(handle));
  await loadOrg();
  $('loading').hidden = true;
  $('stores-card').hidden = false;
  $('staff-card').hidden = false;
  if (state.admin) {
    $('tokens-card').hidden = false;
    await loadTokens();
  }
}

start().catch((err) => {
  $('loading').hidden = true;
  handle(err);
});
