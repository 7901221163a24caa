/*
 * 知识库 /hq/knowledge — the 微信客服 knowledge base for HQ admins and marketers: entries paged with search,
 * category and status filters; create / edit in a dialog (paraphrases, answer, A/B answer variants, read-only old
 * versions); delete; bulk enable / disable of the checked rows; CSV import (per-row errors) and export; a 试一试
 * box that asks the matcher what the bot would do. The dialog is kb-entry.js, the 客服设置 tab kb-settings.js. Every refusal shows the
 * server's zh-CN reason next to what caused it.
 */
/* global window, location, history, URLSearchParams, Blob */
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, bi, el, saveBlob } from '/web/shared/dom.js';
import { empty, loading, table, when } from '/web/customer/kit.js';
import { mountEntryDialog, openEntry } from '/web/knowledge/kb-entry.js';
import { mountSettings } from '/web/knowledge/kb-settings.js';

const PAGE_SIZE = 20;
const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '登录已失效，请重新登录。Signed out.',
  403: '你的账号不能执行此操作。Your role may not do this.',
  404: '知识条目不存在或已删除。Not found.',
  413: '文件太大（最多 5 MB）。The file is too large (5 MB at most).',
};
/** Field paths of the API's refusals, named as the form names them. */
const FIELDS = [
  [/^body\.question/, '标准问题'],
  [/^body\.similar/, '相似问题'],
  [/^body\.answer/, '答案'],
  [/^body\.category/, '分类'],
  [/^body\.variants\.(\d+)\.key/, (m) => `变体 ${Number(m[1]) + 1} 的标识`],
  [/^body\.variants\.(\d+)\.answer/, (m) => `变体 ${Number(m[1]) + 1} 的答案`],
  [/^body\.variants/, '答案变体'],
  [/^body\.answerThreshold/, '回答阈值'],
  [/^body\.suggestThreshold/, '推荐阈值'],
  [/^body\.handoverKeywords/, '转人工关键词'],
  [/^body\.dictionary/, '企业词典'],
  [/^body\.synonyms/, '同义词'],
];
const DECISIONS = {
  answer: ['直接回答', 'Answered'],
  suggest: ['推荐「您是不是想问」', 'Suggests the top three'],
  handover: ['转人工', 'Handed over'],
};

// A 400 or 409 carries the reason in zh-CN: show it rather than a generic text.
const api = consoleApi({ errors: ERRORS, message: (status, error, errors) => ((status === 400 || status === 409) && error?.message) || errors[status] || error?.message || `请求失败（${status}）Request failed` });

const state = { shell: null, page: 1, total: 0, items: [], checked: new Set(), categories: new Set(), seq: 0 };

function fail(err, box = $('error')) {
  if (err?.status === 401) return state.shell?.signOut(err.message);
  box.replaceChildren(el('p', { text: err?.message ?? String(err) }), ...problems(err));
  box.hidden = false;
}

/** The API's `details` as a list, each under the form's name for its field. */
function problems(err) {
  const details = Array.isArray(err?.error?.details) ? err.error.details : [];
  if (!details.length) return [];
  const name = (path) => {
    for (const [re, label] of FIELDS) {
      const m = re.exec(path);
      if (m) return typeof label === 'function' ? label(m) : label;
    }
    return path.replace(/^body\.?/, '') || '内容';
  };
  return [el('ul', {}, ...details.map((d) => el('li', { text: `${name(d.path)}：${d.message}` })))];
}

function announce(text) {
  $('status').textContent = text;
}

function filter() {
  const f = {};
  const search = $('search').value.trim();
  const category = $('category').value.trim();
  if (search) f.search = search;
  if (category) f.category = category;
  if ($('enabled').value) f.enabled = $('enabled').value;
  return f;
}

function renderChecked() {
  const n = state.checked.size;
  $('checked-count').replaceChildren(...(n ? bi([`已选 ${n} 条`, `${n} selected`]) : bi(['未选择', 'None selected'])));
  $('bulk-enable').disabled = !n;
  $('bulk-disable').disabled = !n;
}

function row(e) {
  const box = el('input', { type: 'checkbox', 'aria-label': `选择「${e.question}」 Select`, checked: state.checked.has(e.id), onchange: (ev) => {
    if (ev.target.checked) state.checked.add(e.id);
    else state.checked.delete(e.id);
    renderChecked();
  } });
  return [
    box,
    el('button', { type: 'button', class: 'link kb-q', 'data-id': e.id, text: e.question, onclick: () => openEntry(e.id) }),
    String(e.similar.length),
    e.category || '—',
    e.enabled ? el('span', { class: 'badge enabled', text: '启用 On' }) : el('span', { class: 'badge paused', text: '停用 Off' }),
    when(e.updatedAt),
    el('span', {}, `v${e.version}`, e.variants.length ? el('span', { class: 'badge kb-ab', text: `A/B ×${e.variants.length}` }) : null),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'btn small', onclick: () => openEntry(e.id) }, ...bi(['编辑', 'Edit'])),
      el('button', { type: 'button', class: 'btn small', onclick: () => removeEntry(e) }, ...bi(['删除', 'Delete']))),
  ];
}

async function load() {
  const seq = ++state.seq;
  const f = filter();
  const query = new URLSearchParams(f);
  if (state.page > 1) query.set('page', String(state.page));
  history.replaceState(null, '', `${location.pathname}${query.size ? `?${query}` : ''}${location.hash}`);
  $('error').hidden = true;
  if (!state.items.length) loading($('list'));
  $('list').setAttribute('aria-busy', 'true');
  try {
    const page = await api('/api/kf/knowledge', { params: { ...f, page: state.page, pageSize: PAGE_SIZE } });
    if (seq !== state.seq) return;
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    // A page past the end (the last entry of it deleted, an old address): show the last one instead.
    if (!page.items.length && state.page > pages) {
      state.page = pages;
      return load();
    }
    state.items = page.items;
    state.total = page.total;
    for (const e of page.items) if (e.category) state.categories.add(e.category);
    $('categories').replaceChildren(...[...state.categories].sort().map((c) => el('option', { value: c })));
    $('total').textContent = `共 ${page.total} 条 · ${page.total} total`;
    $('page-label').textContent = `第 ${state.page} / ${pages} 页`;
    $('prev').disabled = state.page <= 1;
    $('next').disabled = state.page >= pages;
    $('list').replaceChildren(
      page.items.length
        ? table('知识条目 Knowledge entries', [[['选择', 'Select'], 'kb-pick'], [['标准问题', 'Question']], [['相似问法', 'Similar'], 'num'], [['分类', 'Category']], [['状态', 'Status']], [['更新时间', 'Updated'], 'time'], [['版本', 'Version']], [['操作', 'Actions']]], page.items.map(row))
        : Object.keys(f).length
          ? empty('没有符合条件的知识条目。No entry matches.', '放宽条件，或点「重置」查看全部。Loosen the filters or reset them.')
          : empty('还没有知识条目：新建或导入 CSV。No entries yet.', '点右上角「新建」写第一条，或「导入 CSV」批量导入。Create one, or import a CSV.'),
    );
  } catch (err) {
    if (seq !== state.seq) return;
    $('list').replaceChildren();
    fail(err);
  } finally {
    $('list').removeAttribute('aria-busy');
  }
}

async function removeEntry(e) {
  if (!window.confirm(`删除知识「${e.question}」？删除后机器人不再用它回答，历史版本仍保留。Delete this entry?`)) return;
  try {
    await api(`/api/kf/knowledge/${encodeURIComponent(e.id)}`, { method: 'DELETE' });
    if ($('entry-dialog').open) $('entry-dialog').close();
    state.checked.delete(e.id);
    renderChecked();
    await load();
    announce(`已删除「${e.question}」。Deleted.`);
  } catch (err) {
    fail(err, $('entry-dialog').open ? $('entry-error') : $('error'));
  }
}

// ——— Bulk, import, export, try ———

async function bulk(action) {
  const ids = [...state.checked];
  if (!ids.length) return;
  try {
    const r = await api('/api/kf/knowledge/bulk', { method: 'POST', body: { action, ids } });
    state.checked.clear();
    renderChecked();
    await load();
    announce(`已${action === 'enable' ? '启用' : '停用'} ${r.matched} 条。${r.matched} ${action === 'enable' ? 'enabled' : 'disabled'}.`);
  } catch (err) {
    fail(err);
  }
}

async function importCsv() {
  const file = $('import-file').files[0];
  if (!file) return;
  const report = $('import-report');
  report.hidden = false;
  report.className = 'kb-report';
  report.replaceChildren(el('p', { class: 'loading', text: `正在导入「${file.name}」… Importing…` }));
  try {
    // The API reads the raw CSV body (UTF-8 or GBK, detected by the server), not a multipart form.
    const r = await api('/api/kf/knowledge/import', { method: 'POST', form: new Blob([await file.arrayBuffer()], { type: 'text/csv' }) });
    report.classList.toggle('has-errors', r.errors.length > 0);
    report.replaceChildren(
      el('p', { class: 'kb-counts', text: `导入完成：新建 ${r.created} 条，更新 ${r.updated} 条，未变 ${r.unchanged} 条${r.errors.length ? `，${r.errors.length} 行有误未导入` : ''}。Created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, ${r.errors.length} rows refused.` }),
      r.errors.length ? el('ul', { class: 'kb-row-errors' }, ...r.errors.map((x) => el('li', { text: x.message }))) : null,
    );
    await load();
  } catch (err) {
    report.replaceChildren();
    report.classList.add('has-errors');
    fail(err, report);
  } finally {
    $('import-file').value = '';
  }
}

async function exportCsv() {
  $('error').hidden = true;
  $('export').disabled = true;
  try {
    const res = await api('/api/kf/knowledge/export', { accept: 'text/csv', raw: true });
    saveBlob(await res.blob(), `知识库-${new Date().toISOString().slice(0, 10)}.csv`);
  } catch (err) {
    fail(err);
  } finally {
    $('export').disabled = false;
  }
}

async function tryMatch(event) {
  event.preventDefault();
  const text = $('try-text').value.trim();
  if (!text) return;
  const out = $('try-result');
  out.replaceChildren(el('p', { class: 'loading', text: '正在匹配… Matching…' }));
  try {
    const r = await api('/api/kf/knowledge/match', { method: 'POST', body: { text } });
    out.replaceChildren(
      el('p', { class: `kb-decision ${r.decision}` }, '结果 ', el('strong', {}, ...bi(DECISIONS[r.decision] ?? [r.decision, r.decision]))),
      r.candidates.length
        ? el('ol', { class: 'kb-candidates' }, ...r.candidates.map((c) => el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => openEntry(c.entryId), text: c.question }), el('span', { class: 'muted', text: ` 相似度 ${c.score.toFixed(3)}` }))))
        : el('p', { class: 'muted', text: '没有相近的知识条目。No similar entry.' }),
    );
  } catch (err) {
    out.replaceChildren();
    fail(err, out);
  }
}

// ——— Tabs ———

let settingsMounted = false;
function showTab(name) {
  for (const t of ['entries', 'settings']) {
    const on = t === name;
    $(`tab-${t}`).setAttribute('aria-selected', String(on));
    $(`tab-${t}`).tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
  }
  history.replaceState(null, '', `${location.pathname}${location.search}${name === 'settings' ? '#settings' : ''}`);
  if (name === 'settings' && !settingsMounted) {
    settingsMounted = true;
    void mountSettings({ api, into: $('settings-body'), announce, fail });
  }
}

async function start() {
  state.shell = await mountConsole({ active: 'knowledge', title: ['知识库', 'Knowledge base'] });
  const initial = Object.fromEntries(new URLSearchParams(location.search));
  $('search').value = initial.search ?? '';
  $('category').value = initial.category ?? '';
  $('enabled').value = ['true', 'false'].includes(initial.enabled) ? initial.enabled : '';
  state.page = Math.max(1, Number(initial.page) || 1);
  $('tabs').hidden = false;
  $('tab-entries').addEventListener('click', () => showTab('entries'));
  $('tab-settings').addEventListener('click', () => showTab('settings'));
  // The tab list answers the arrow keys like any tab list (two tabs: either arrow moves to the other one).
  $('tabs').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const next = $('tab-entries').getAttribute('aria-selected') === 'true' ? 'settings' : 'entries';
    showTab(next);
    $(`tab-${next}`).focus();
  });
  $('filter-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.page = 1;
    void load();
  });
  $('filter-reset').addEventListener('click', () => {
    $('filter-form').reset();
    state.page = 1;
    void load();
  });
  $('prev').addEventListener('click', () => ((state.page = Math.max(1, state.page - 1)), void load()));
  $('next').addEventListener('click', () => ((state.page += 1), void load()));
  $('new').addEventListener('click', () => openEntry(null));
  mountEntryDialog({ api, fail, announce, saved: load, remove: removeEntry });
  $('bulk-enable').addEventListener('click', () => bulk('enable'));
  $('bulk-disable').addEventListener('click', () => bulk('disable'));
  $('import').addEventListener('click', () => $('import-file').click());
  $('import-file').addEventListener('change', importCsv);
  $('export').addEventListener('click', exportCsv);
  $('try-form').addEventListener('submit', tryMatch);
  renderChecked();
  showTab(location.hash === '#settings' ? 'settings' : 'entries');
  await load();
}

start().catch((err) => fail(err));
