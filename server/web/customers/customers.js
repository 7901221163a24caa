/* The customer list (/hq/customers): filters (tags all / any / none, store, staff, lifecycle, channel, added
 * between, search), the total, CSV export, saved filters (人群包) and bulk tag / untag of the whole filter with a
 * preview count and a confirmation. In the console shell: HQ admins and marketers see the corp, store managers
 * their store (the API scopes every call). The filter lives in the address (?tagsAll=…), so a view can be shared
 * and survives a reload. */
/* global document, location, history, window, URLSearchParams */

import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, bi, el, saveBlob } from '/web/shared/dom.js';

const LIFECYCLE = { lead: ['线索', 'Lead'], friend: ['好友', 'Friend'], customer: ['客户', 'Customer'], vip: ['会员', 'VIP'], lost: ['流失', 'Lost'] };
const CHANNELS = { wecom: '企业微信', official_account: '公众号', kf: '微信客服', wechaty: '个人号' };
const TAG_STATES = ['', 'all', 'any', 'none'];
const TAG_STATE_NAMES = { all: '全部包含 all', any: '包含任一 any', none: '排除 none' };
const FIELDS = ['q', 'storeId', 'staffId', 'channel', 'addedFrom', 'addedTo'];
const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '登录已失效，请重新登录。Signed out.',
  403: '你的账号不能执行此操作。Your role may not do this.',
  404: '记录不存在或不属于你的门店。Not found.',
};

const api = consoleApi({ errors: ERRORS, message: (status, error, errors) => (status === 400 || status === 409 ? error?.message : null) ?? errors[status] ?? error?.message ?? `请求失败（${status}）Request failed` });

const state = { shell: null, tags: new Map(), tagState: new Map(), stores: new Map(), staff: new Map(), page: 1, size: 50, segments: [], previewed: null, seq: 0 };

function fail(err, box = 'error') {
  if (err?.status === 401) return state.shell?.signOut(err.message);
  $(box).textContent = err?.message ?? String(err);
  $(box).hidden = false;
}

/** The filter in its wire form (what the API, the address and a saved filter take). */
function currentFilter() {
  const f = {};
  for (const k of FIELDS) {
    const v = $(k).value.trim();
    if (v) f[k] = v;
  }
  const lifecycle = [...document.querySelectorAll('#lifecycle input:checked')].map((i) => i.value);
  if (lifecycle.length) f.lifecycle = lifecycle.join(',');
  for (const mode of ['all', 'any', 'none']) {
    const ids = [...state.tagState].filter(([, s]) => s === mode).map(([id]) => id);
    if (ids.length) f[`tags${mode[0].toUpperCase()}${mode.slice(1)}`] = ids.join(',');
  }
  return f;
}

function applyFilter(f) {
  for (const k of FIELDS) $(k).value = f[k] ?? '';
  const stages = new Set((f.lifecycle ?? '').split(',').filter(Boolean));
  for (const i of document.querySelectorAll('#lifecycle input')) i.checked = stages.has(i.value);
  state.tagState.clear();
  for (const mode of ['all', 'any', 'none']) for (const id of (f[`tags${mode[0].toUpperCase()}${mode.slice(1)}`] ?? '').split(',').filter(Boolean)) state.tagState.set(id, mode);
  renderTagPicker();
}

function renderTagPicker() {
  for (const b of document.querySelectorAll('#tag-picker button[data-tag]')) {
    const s = state.tagState.get(b.dataset.tag) ?? '';
    b.className = `tg ${s || 'off'}`;
    b.setAttribute('aria-label', `${state.tags.get(b.dataset.tag)?.name ?? ''}：${s ? TAG_STATE_NAMES[s] : '不限 off'}`);
    b.querySelector('.tg-mark').textContent = s === 'all' ? '✓' : s === 'any' ? '∨' : s === 'none' ? '✕' : '';
  }
}

function buildTagPicker(groups) {
  const picker = $('tag-picker');
  if (!groups.length) {
    picker.replaceChildren(el('p', { class: 'muted' }, '还没有标签，请先在「标签」页创建。', el('a', { href: '/hq/tags' }, ...bi(['去创建', 'Create tags']))));
    return;
  }
  picker.replaceChildren(
    ...groups.map((g) =>
      el('div', { class: 'tg-group' },
        el('span', { class: 'tg-group-name', text: g.name }),
        ...g.tags.map((t) => el('button', { type: 'button', class: 'tg off', 'data-tag': t.tagId, onclick: () => cycleTag(t.tagId) }, el('span', { class: 'tg-mark', 'aria-hidden': 'true' }), t.name)),
      ),
    ),
  );
  renderTagPicker();
}

function cycleTag(id) {
  const next = TAG_STATES[(TAG_STATES.indexOf(state.tagState.get(id) ?? '') + 1) % TAG_STATES.length];
  if (next) state.tagState.set(id, next);
  else state.tagState.delete(id);
  renderTagPicker();
}

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '');

function channelsOf(c) {
  const out = [];
  if (c.identities.externalUserId) out.push(CHANNELS.wecom);
  if (c.identities.openids.length) out.push(CHANNELS.official_account);
  if (c.identities.kfIds.length) out.push(CHANNELS.kf);
  if (c.identities.wechatyIds.length) out.push(CHANNELS.wechaty);
  return out;
}

function row(c) {
  const cell = (label, ...children) => el('td', { 'data-label': label }, ...children);
  return el('tr', {},
    cell('客户', el('a', { href: `/hq/customers/${encodeURIComponent(c.id)}`, class: 'cu-name', text: c.name || '未命名客户' }), c.consent.optedOut ? el('span', { class: 'badge warn', text: '已退订' }) : null),
    cell('手机', c.phone?.masked ?? '—'),
    cell('生命周期', LIFECYCLE[c.lifecycle]?.[0] ?? c.lifecycle),
    cell('门店', c.storeIds.map((id) => state.stores.get(id)?.name ?? '其他门店').join('、') || '—'),
    cell('标签', ...(c.tagIds.length ? c.tagIds.map((id) => el('span', { class: 'badge', text: state.tags.get(id)?.name ?? id })) : ['—'])),
    cell('渠道', channelsOf(c).join('、') || '—'),
    el('td', { 'data-label': '添加时间', class: 'time', text: fmtTime(c.createdAt) }),
  );
}

function emptyState(filtered) {
  return filtered
    ? [el('p', { text: '没有符合条件的客户。试试放宽筛选条件，或点「重置」查看全部客户。' }), el('p', { lang: 'en', class: 'muted', text: 'No customer matches. Loosen the filters or reset them.' })]
    : [el('p', { text: '还没有客户。在「渠道活码」页创建活码，客户扫码加导购企业微信后会出现在这里。' }), el('p', {}, el('a', { class: 'btn', href: '/hq/live-codes' }, ...bi(['去创建渠道活码', 'Create a live code'])))];
}

async function load() {
  const seq = ++state.seq;
  const filter = currentFilter();
  const query = new URLSearchParams(filter);
  if (state.page > 1) query.set('page', String(state.page));
  history.replaceState(null, '', `${location.pathname}${query.size ? `?${query}` : ''}`);
  $('error').hidden = true;
  $('list-status').textContent = '加载中… Loading…';
  $('total').textContent = '';
  $('rows').setAttribute('aria-busy', 'true');
  try {
    const [list, count] = await Promise.all([api('/api/contacts', { params: { ...filter, limit: state.size, page: state.page } }), api('/api/contacts/count', { params: filter })]);
    if (seq !== state.seq) return;
    $('rows').replaceChildren(...list.items.map(row));
    const pages = Math.max(1, Math.ceil(count.total / state.size));
    $('total').textContent = `共 ${count.total.toLocaleString('zh-CN')} 位 · ${count.total} total`;
    $('page-label').textContent = `第 ${state.page} / ${pages} 页`;
    $('prev').disabled = state.page <= 1;
    $('next').disabled = !list.nextCursor;
    $('empty').replaceChildren(...(list.items.length ? [] : emptyState(Object.keys(filter).length > 0)));
    $('empty').hidden = list.items.length > 0;
    $('table').hidden = list.items.length === 0;
    $('list-status').textContent = '';
    $('bulk').disabled = count.total === 0;
  } catch (err) {
    if (seq !== state.seq) return;
    $('list-status').textContent = '';
    fail(err);
  } finally {
    $('rows').removeAttribute('aria-busy');
  }
}

async function loadSegments(selectId) {
  state.segments = (await api('/api/contact-segments')).items;
  $('segment').replaceChildren(el('option', { value: '', text: state.segments.length ? '人群包 Saved filters…' : '人群包：无 None' }), ...state.segments.map((s) => el('option', { value: s.id, text: s.name })));
  if (selectId) $('segment').value = selectId;
}

async function saveSegment() {
  $('error').hidden = true;
  const name = $('segment-name').value.trim();
  if (!name) {
    fail({ message: '请先填写人群包名称。Name the saved filter first.' });
    $('segment-name').focus();
    return;
  }
  try {
    const saved = await api('/api/contact-segments', { method: 'POST', body: { name, filter: currentFilter() } });
    $('segment-name').value = '';
    await loadSegments(saved.id);
    $('status').textContent = `已保存人群包「${saved.name}」。Saved.`;
  } catch (err) {
    fail(err);
  }
}

async function deleteSegment() {
  const seg = state.segments.find((s) => s.id === $('segment').value);
  if (!seg) return;
  try {
    await api(`/api/contact-segments/${seg.id}`, { method: 'DELETE' });
    await loadSegments();
    $('status').textContent = `已删除人群包「${seg.name}」。Deleted.`;
  } catch (err) {
    fail(err);
  }
}

function applySegment() {
  const seg = state.segments.find((s) => s.id === $('segment').value);
  if (!seg) return;
  applyFilter(seg.filter);
  state.page = 1;
  $('status').textContent = `已应用人群包「${seg.name}」。Applied.`;
  load();
}

async function exportCsv() {
  $('error').hidden = true;
  $('export').disabled = true;
  try {
    const res = await api('/api/contacts/export.csv', { params: currentFilter(), accept: 'text/csv', raw: true });
    saveBlob(await res.blob(), `客户-${new Date().toISOString().slice(0, 10)}.csv`);
  } catch (err) {
    fail(err);
  } finally {
    $('export').disabled = false;
  }
}

// Bulk tag: preview (dry run) first; confirm sends the previewed count back, and the server refuses if it moved.
function bulkBody() {
  const mode = document.querySelector('input[name="bulk-mode"]:checked').value;
  const tags = [...document.querySelectorAll('#bulk-tags input:checked')].map((i) => i.value);
  return { filter: currentFilter(), add: mode === 'add' ? tags : [], remove: mode === 'remove' ? tags : [] };
}

function bulkReset() {
  state.previewed = null;
  $('bulk-confirm').disabled = true;
  $('bulk-preview').textContent = '';
  $('bulk-error').hidden = true;
}

async function bulkPreview() {
  bulkReset();
  const body = bulkBody();
  if (!body.add.length && !body.remove.length) return fail({ message: '请至少选择一个标签。Pick at least one tag.' }, 'bulk-error');
  try {
    const r = await api('/api/contacts/bulk-tags', { method: 'POST', body: { ...body, dryRun: true } });
    const names = [...body.add, ...body.remove].map((id) => state.tags.get(id)?.name ?? id).join('、');
    if (r.count > r.bound) return fail({ message: `当前筛选命中 ${r.count} 位客户，超过单次上限 ${r.bound} 位，请缩小筛选范围。` }, 'bulk-error');
    if (r.count === 0) return fail({ message: '当前筛选没有客户。No customer in this filter.' }, 'bulk-error');
    state.previewed = { body, count: r.count };
    $('bulk-preview').textContent = `将为 ${r.count} 位客户${body.add.length ? '添加' : '移除'}标签：${names}。请确认。${r.count} customers.`;
    $('bulk-confirm').disabled = false;
  } catch (err) {
    fail(err, 'bulk-error');
  }
}

async function bulkConfirm() {
  if (!state.previewed) return;
  $('bulk-confirm').disabled = true;
  $('bulk-error').hidden = true;
  try {
    const r = await api('/api/contacts/bulk-tags', { method: 'POST', body: { ...state.previewed.body, confirmedCount: state.previewed.count } });
    const m = r.mirror;
    const wecom = m.mirrored || m.failed ? `；企业微信同步 ${m.mirrored} 位${m.failed ? `，失败 ${m.failed} 位（${m.errors[0]?.message ?? ''}）` : ''}` : '';
    $('bulk-preview').textContent = `已完成：${r.changed} 位客户的标签已更新${wecom}。Done.`;
    state.previewed = null;
    load();
  } catch (err) {
    fail(err, 'bulk-error');
    if (err?.status === 409) $('bulk-preview').textContent = '人数已变化，请重新预览。Preview again.';
  }
}

function openBulk() {
  bulkReset();
  $('bulk-dialog').showModal();
}

function setFolded(folded) {
  $('filter-form').classList.toggle('cu-folded', folded);
  $('filter-toggle').setAttribute('aria-expanded', String(!folded));
  $('filter-toggle').replaceChildren(...bi(folded ? ['展开筛选', 'Show filters'] : ['收起筛选', 'Hide filters']));
}

async function start() {
  state.shell = await mountConsole({ active: 'customers', title: ['客户', 'Customers'] });
  $('status').textContent = '加载中… Loading…';
  try {
    const [tags, stores, staff] = await Promise.all([api('/api/tags'), api('/api/stores'), api('/api/staff')]);
    for (const g of tags.items) for (const t of g.tags) state.tags.set(t.tagId, { ...t, group: g.name });
    for (const s of stores.items) state.stores.set(s.id, s);
    for (const s of staff.items) state.staff.set(s.id, s);
    $('storeId').append(...stores.items.map((s) => el('option', { value: s.id, text: s.name })));
    $('staffId').append(...staff.items.map((s) => el('option', { value: s.id, text: `${s.name}${s.status === 'resigned' ? '（已离职）' : ''}` })));
    $('lifecycle').replaceChildren(...Object.entries(LIFECYCLE).map(([v, pair]) => el('label', {}, el('input', { type: 'checkbox', value: v }), ...bi(pair))));
    buildTagPicker(tags.items);
    $('bulk-tags').replaceChildren(
      ...(tags.items.length
        ? tags.items.map((g) => el('div', { class: 'checks' }, el('span', { class: 'tg-group-name', text: g.name }), ...g.tags.map((t) => el('label', {}, el('input', { type: 'checkbox', value: t.tagId, onchange: bulkReset }), t.name))))
        : [el('p', { class: 'muted', text: '还没有标签，请先在「标签」页创建。' })]),
    );
    const initial = Object.fromEntries(new URLSearchParams(location.search));
    state.page = Math.max(1, Number(initial.page) || 1);
    applyFilter(initial);
    $('status').textContent = '';
    // On a phone the list comes first: the filters fold away unless the address already carries some.
    const folded = window.matchMedia('(max-width: 640px)').matches && !Object.keys(currentFilter()).length;
    setFolded(folded);
    $('filter-toggle').addEventListener('click', () => setFolded(!$('filter-form').classList.contains('cu-folded')));
    $('app').hidden = false;
    $('filter-form').addEventListener('submit', (e) => {
      e.preventDefault();
      state.page = 1;
      load();
    });
    $('reset').addEventListener('click', () => {
      applyFilter({});
      state.page = 1;
      load();
    });
    $('prev').addEventListener('click', () => ((state.page = Math.max(1, state.page - 1)), load()));
    $('next').addEventListener('click', () => ((state.page += 1), load()));
    $('size').addEventListener('change', () => ((state.size = Number($('size').value)), (state.page = 1), load()));
    $('segment-save').addEventListener('click', saveSegment);
    $('segment-apply').addEventListener('click', applySegment);
    $('segment-delete').addEventListener('click', deleteSegment);
    $('export').addEventListener('click', exportCsv);
    $('bulk').addEventListener('click', openBulk);
    $('bulk-count').addEventListener('click', bulkPreview);
    $('bulk-confirm').addEventListener('click', bulkConfirm);
    $('bulk-close').addEventListener('click', () => $('bulk-dialog').close());
    for (const r of document.querySelectorAll('input[name="bulk-mode"]')) r.addEventListener('change', bulkReset);
    await Promise.all([load(), loadSegments()]);
  } catch (err) {
    $('status').textContent = '';
    fail(err);
  }
}

start().catch(fail);
