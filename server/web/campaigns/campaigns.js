/* The campaigns page (/hq/campaigns): create a campaign, start / pause / end it, upload leads, run the assignment,
 * and read the funnel (ECharts), the breakdowns, the leaderboard and the greeting experiment. Plain module, no
 * build step; it lives in the console shell (shared/console.js: sign-in, navigation). */
/* global document, window, location, URLSearchParams, FormData */

import { ApiError, detailedMessage } from '/web/shared/api.js';
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, el, showError } from '/web/shared/dom.js';

const echarts = window.echarts;
const ERRORS = { network: '网络异常，请重试。Network error.', 401: '令牌无效或已过期，请重新登录。Token invalid or expired.', 403: '此令牌没有权限。This token may not do this.', 404: '找不到该记录。Not found.', 409: '状态冲突。Conflict.', 415: '请上传 CSV 文件。Upload a CSV file.', 500: '服务器出错了。Server error.' };
const STATUS = { draft: '草稿 Draft', running: '进行中 Running', paused: '已暂停 Paused', ended: '已结束 Ended' };
const STAGES = [
  ['imported', '导入 Imported'],
  ['assigned', '分配 Assigned'],
  ['requested', '申请 Requested'],
  ['accepted', '通过 Accepted'],
  ['replied', '回复 Replied'],
  ['converted', '转化 Converted'],
];

const state = { corp: null, stores: [], campaigns: [], selected: null, funnel: null, chart: null };

const call = consoleApi({ accept: undefined, errors: ERRORS, message: detailedMessage((d) => `${d.path}: ${d.message}`) });

const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const yuan = (x) => (x === null || x === undefined ? '–' : `¥${x.toFixed(2)}`);
const announce = (text) => ($('status').textContent = text);
function handle(err) {
  if (err instanceof ApiError && err.status === 401) return signedOut(ERRORS[401]);
  showError(err.message || String(err));
}

/** The console shell once mounted (signOut on a 401). */
let shell = null;
function signedOut(message) {
  shell?.signOut(message ?? '');
}

function renderList() {
  $('cp-list').replaceChildren(
    ...state.campaigns.map((c) =>
      el('li', {}, el('button', { type: 'button', 'aria-current': String(state.selected?.id === c.id), 'data-id': c.id, onclick: () => select(c.id).catch(handle) }, el('strong', { text: c.name }), ' ', el('span', { class: `badge ${c.status}`, text: STATUS[c.status] ?? c.status }))),
    ),
  );
  if (!state.campaigns.length) $('cp-list').append(el('li', { class: 'muted', text: '还没有活动。No campaigns yet.' }));
}

async function loadCampaigns() {
  state.campaigns = (await call('/api/campaigns')).items;
  renderList();
}

function renderDetail() {
  const c = state.selected;
  $('detail').hidden = !c;
  if (!c) return;
  $('detail-heading').textContent = c.name;
  $('detail-status').textContent = STATUS[c.status] ?? c.status;
  $('detail-status').className = `badge ${c.status}`;
  const stores = c.storeIds.length ? c.storeIds.map((id) => state.stores.find((s) => s.id === id)?.name ?? id).join('、') : '全部门店 All stores';
  $('detail-meta').textContent = `${stores} · 每人每日 ${c.dailyQuota} · ${c.workingHours.start}–${c.workingHours.end} · ${c.greetings.length} 条招呼语 greetings · ${c.recycle.afterDays} 天回收，最多 ${c.recycle.maxAttempts} 次`;
  for (const b of document.querySelectorAll('[data-action]')) {
    const allowed = { start: ['draft', 'paused'], pause: ['running'], end: ['draft', 'running', 'paused'] }[b.dataset.action];
    b.disabled = !allowed.includes(c.status);
  }
  $('assign-now').disabled = c.status !== 'running';
}

function renderFunnel() {
  const f = state.funnel;
  if (!f) return;
  const t = f.totals;
  const totals = [...STAGES.map(([k, name]) => [name, String(t[k])]), ['扫码加入 Scanned', String(t.scanned)], ['7天内删除 Deleted ≤7d', String(t.deletedWithin7d)], ['通过率 Add rate', pct(t.addRate)], ['导入通过率 Of imported', pct(t.acceptedOfImported)], ['总成本 Cost', yuan(t.cost)], ['每粉成本 Cost / friend', yuan(t.costPerFriend)]];
  $('totals').replaceChildren(...totals.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: v }))));
  state.chart ??= echarts.init($('chart-funnel'));
  state.chart.setOption(
    {
      animation: false,
      tooltip: { trigger: 'item' },
      series: [{ type: 'funnel', sort: 'none', left: '5%', width: '55%', minSize: '8%', label: { formatter: '{b}: {c}' }, data: STAGES.map(([k, name]) => ({ name, value: t[k] })) }],
    },
    true,
  );
  renderBreakdown();
  $('leaderboard').querySelector('tbody').replaceChildren(
    ...f.leaderboard.map((r) => el('tr', { 'data-staff': r.staffId }, el('td', { text: String(r.rank) }), el('th', { text: r.name }), el('td', { text: r.store }), el('td', { class: 'num', text: String(r.accepted) }), el('td', { class: 'num', text: String(r.requested) }), el('td', { class: 'num', text: pct(r.addRate) }))),
  );
}

function labelOf(dimension, key) {
  if (key === null) return dimension === 'store' || dimension === 'staff' ? '未分配 Unassigned' : '（无 none）';
  if (dimension === 'store') return state.funnel.names.stores[key] ?? key;
  if (dimension === 'staff') return state.funnel.names.staff[key] ?? key;
  return key;
}

function renderBreakdown() {
  const dimension = $('dimension').value;
  const rows = state.funnel.by[dimension];
  $('breakdown').querySelector('tbody').replaceChildren(
    ...rows.map((r) =>
      el('tr', {}, el('th', { text: labelOf(dimension, r.key) }), ...['imported', 'assigned', 'requested', 'accepted', 'replied', 'converted'].map((k) => el('td', { class: 'num', text: String(r[k]) })), el('td', { class: 'num', text: pct(r.addRate) }), el('td', { class: 'num', text: yuan(r.costPerFriend) })),
    ),
  );
}

async function loadExperiment() {
  const body = $('experiment').querySelector('tbody');
  if (!state.selected.experimentId) {
    $('experiment-verdict').textContent = '只有一条招呼语，没有实验。One greeting: no experiment.';
    return body.replaceChildren();
  }
  const { results } = await call(`/api/campaigns/${state.selected.id}/greeting-results`);
  const metric = results.metrics.find((m) => m.metric === 'friend_added');
  $('experiment-verdict').textContent = results.primary ? `${results.primary.label_zh} ${results.primary.label}` : '';
  body.replaceChildren(...(metric?.arms ?? []).map((a) => el('tr', {}, el('th', { text: a.name }), el('td', { class: 'num', text: String(a.users) }), el('td', { class: 'num', text: String(a.conversions) }), el('td', { class: 'num', text: pct(a.rate) }))));
}

async function select(id) {
  showError('');
  state.selected = await call(`/api/campaigns/${id}`);
  $('import-result').hidden = true;
  renderList();
  renderDetail();
  state.funnel = await call(`/api/campaigns/${id}/funnel`);
  renderFunnel();
  await loadExperiment();
}

async function create(event) {
  event.preventDefault();
  const f = event.target.elements;
  const greetings = [{ id: 'A', text: f.greetingA.value.trim() }];
  if (f.greetingB.value.trim()) greetings.push({ id: 'B', text: f.greetingB.value.trim() });
  const body = {
    name: f.name.value.trim(),
    storeIds: [...f.stores.selectedOptions].map((o) => o.value),
    greetings,
    dailyQuota: Number(f.dailyQuota.value),
    strategy: f.strategy.value,
    workingHours: { start: f.start.value, end: f.end.value },
    recycle: { afterDays: Number(f.afterDays.value), maxAttempts: Number(f.maxAttempts.value) },
    costs: { fixed: Number(f.fixed.value), perLead: Number(f.perLead.value), perRequest: Number(f.perRequest.value) },
  };
  const created = await call('/api/campaigns', { method: 'POST', body });
  event.target.reset();
  $('new-box').open = false;
  announce(`已创建「${created.name}」 Created`);
  await loadCampaigns();
  await select(created.id);
}

async function upload(event) {
  event.preventDefault();
  const file = $('import-file').files[0];
  if (!file) return;
  const form = new FormData();
  form.append('file', file);
  const r = await call(`/api/campaigns/${state.selected.id}/leads/import`, { method: 'POST', form });
  $('import-result').hidden = false;
  $('import-summary').textContent = `共 ${r.rows} 行：导入 ${r.imported}，重复 ${r.duplicates}，无效 ${r.invalid}。 Rows ${r.rows}: ${r.imported} imported, ${r.duplicates} duplicates, ${r.invalid} invalid.`;
  $('import-errors').hidden = !r.errors.length;
  $('import-errors').querySelector('tbody').replaceChildren(...r.errors.slice(0, 200).map((e) => el('tr', {}, el('td', { class: 'num', text: String(e.line) }), el('td', { text: e.reason }))));
  event.target.reset();
  await select(state.selected.id);
  $('import-result').hidden = false;
}

async function transition(action) {
  state.selected = await call(`/api/campaigns/${state.selected.id}/${action}`, { method: 'POST' });
  announce(`${STATUS[state.selected.status]}`);
  await loadCampaigns();
  renderDetail();
}

async function assignNow() {
  const r = await call(`/api/campaigns/${state.selected.id}/assign`, { method: 'POST' });
  announce(`已分配 ${r.assigned} 条，回收 ${r.recycled} 条 Assigned ${r.assigned}, recycled ${r.recycled}`);
  await select(state.selected.id);
}

async function signedIn() {
  state.corp = shell.me.corp;
  if (!state.corp) throw new ApiError(404, '没有可管理的企业。No corp to manage.');
  $('corp-name').textContent = state.corp.name;
  state.stores = (await call('/api/stores')).items;
  $('cp-stores').replaceChildren(...state.stores.map((s) => el('option', { value: s.id, text: `${s.name}（${s.code}）` })));
  $('app').hidden = false;
  await loadCampaigns();
  const wanted = new URLSearchParams(location.search).get('id') ?? state.campaigns[0]?.id;
  if (wanted) await select(wanted);
}

async function start() {
  $('cp-form').addEventListener('submit', (e) => create(e).catch(handle));
  $('import-form').addEventListener('submit', (e) => upload(e).catch(handle));
  $('dimension').addEventListener('change', () => state.funnel && renderBreakdown());
  $('assign-now').addEventListener('click', () => assignNow().catch(handle));
  for (const b of document.querySelectorAll('[data-action]')) b.addEventListener('click', () => transition(b.dataset.action).catch(handle));
  window.addEventListener('resize', () => state.chart?.resize());
  shell = await mountConsole({ active: 'campaigns', title: ['加粉活动', 'Add-friend campaigns'] });
  await signedIn();
}

start().catch(handle);
