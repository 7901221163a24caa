/* The live-codes page (/hq/live-codes): create codes, see and download their QR, edit-free disable, and the numbers
 * (adds, re-adds, losses within 1/7/30 days, net) with an ECharts chart and CSV. Plain module, no build step; it
 * lives in the console shell (shared/console.js: sign-in, navigation) and uses ECharts from /vendor/echarts.min.js. */
/* global window, Blob, btoa, TextEncoder */

import { ApiError, detailedMessage } from '/web/shared/api.js';
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, el, saveBlob, showError } from '/web/shared/dom.js';

const echarts = window.echarts;
const CHANNELS = { poster: '海报 Poster', counter: '柜台 Counter', event: '活动 Event', staff: '员工 Staff', store: '门店 Store' };
const STATUS = { active: '启用 Active', disabled: '已停用 Disabled', expired: '已过期 Expired' };
const ERRORS = { network: '网络异常，请重试。Network error.', 401: '令牌无效或已过期，请重新登录。Token invalid or expired.', 403: '此令牌没有权限。This token may not do this.', 404: '找不到该记录。Not found.', 409: '状态冲突。Conflict.', 500: '服务器出错了。Server error.' };
const COUNTS = [
  ['adds', '新增 Adds'],
  ['reAdds', '重复添加 Re-adds'],
  ['lost1', '1天内流失 Lost ≤1d'],
  ['lost7', '7天内流失 Lost ≤7d'],
  ['lost30', '30天内流失 Lost ≤30d'],
  ['net', '净增 Net'],
];

const state = { corp: null, staff: [], codes: [], selected: null, report: null, chart: null };

const call = consoleApi({ accept: undefined, errors: ERRORS, message: detailedMessage((d) => d.message) });

function announce(text) {
  $('status').textContent = text;
}
function handle(err) {
  if (err instanceof ApiError && err.status === 401) return signedOut(ERRORS[401]);
  showError(err.message || String(err));
}

const staffName = (userId) => state.staff.find((s) => s.userId === userId)?.name ?? userId;
const selectedValues = (select) => [...select.selectedOptions].map((o) => o.value);
const localDate = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/* ---------- sign-in ---------- */

/** The console shell once mounted (signOut on a 401). */
let shell = null;
function signedOut(message) {
  shell?.signOut(message ?? '');
}

async function signIn() {
  state.corp = shell.me.corp;
  if (!state.corp) throw new ApiError(404, '没有可管理的企业。No corp to manage.');
  const [staff, tags, templates] = await Promise.all([call('/api/staff'), call('/api/tags'), call('/api/content/templates', { params: { status: 'published', limit: 100 } })]);
  state.staff = staff.items.filter((s) => s.status === 'active');
  $('corp-name').textContent = state.corp.name;
  const staffOptions = () => state.staff.map((s) => el('option', { value: s.id, text: `${s.name}（${s.userId}）` }));
  $('lc-staff').replaceChildren(...staffOptions());
  $('lc-fallback').replaceChildren(...staffOptions());
  $('lc-tags').replaceChildren(...tags.items.flatMap((g) => g.tags.map((t) => el('option', { value: t.tagId, text: `${g.name} / ${t.name}` }))));
  $('lc-welcome').replaceChildren(el('option', { value: '', text: '不发送 None' }), ...templates.items.map((t) => el('option', { value: t.templateId, text: `${t.name}（v${t.publishedVersion}）` })));
  const today = new Date();
  $('stats-to').value = localDate(today);
  $('stats-from').value = localDate(new Date(today.getTime() - 29 * 86_400_000));
  $('app').hidden = false;
  showError('');
  await Promise.all([loadCodes(), loadStats()]);
}

/* ---------- codes ---------- */

async function loadCodes() {
  state.codes = (await call('/api/live-codes')).items;
  renderCodes();
}

function renderCodes() {
  const byCode = new Map((state.report?.byCode ?? []).map((b) => [b.key, b]));
  $('lc-count').textContent = `(${state.codes.length})`;
  $('lc-table').tBodies[0].replaceChildren(
    ...state.codes.map((c) =>
      el(
        'tr',
        { 'data-id': c.id, 'aria-selected': String(state.selected?.id === c.id), tabindex: '0', onclick: () => select(c.id).catch(handle), onkeydown: (e) => e.key === 'Enter' && select(c.id).catch(handle) },
        el('td', { text: c.name }),
        el('td', { text: CHANNELS[c.channel] ?? c.channel }),
        el('td', { text: c.activeUserIds.map(staffName).join('、') }),
        el('td', { class: `status-${c.status}`, text: STATUS[c.status] ?? c.status }),
        el('td', { class: 'num', text: String(byCode.get(c.id)?.adds ?? 0) }),
        el('td', { class: 'num', text: String(byCode.get(c.id)?.net ?? 0) }),
      ),
    ),
  );
}

async function createCode(event) {
  event.preventDefault();
  const staffIds = selectedValues($('lc-staff'));
  if (!staffIds.length) return showError('请选择至少一名接待员工。Pick at least one staff member.');
  const from = $('lc-from').value;
  const to = $('lc-to').value;
  const body = {
    name: $('lc-name').value.trim(),
    channel: $('lc-channel').value,
    mode: $('lc-mode').value,
    staffIds,
    fallbackStaffIds: selectedValues($('lc-fallback')),
    tagIds: selectedValues($('lc-tags')),
    ...($('lc-welcome').value ? { welcomeTemplateId: $('lc-welcome').value } : {}),
    ...($('lc-limit').value ? { dailyAddLimit: Number($('lc-limit').value) } : {}),
    ...(from && to ? { dutyHours: { from, to } } : {}),
    ...($('lc-expires').value ? { expiresAt: `${$('lc-expires').value}T23:59:59+08:00` } : {}),
    ...($('lc-default').checked ? { staffDefault: true } : {}),
  };
  const code = await call('/api/live-codes', { method: 'POST', body });
  $('lc-form').reset();
  showError('');
  announce(`已创建「${code.name}」 Created`);
  await loadCodes();
  await select(code.id);
}

async function storeCodes() {
  const r = await call('/api/live-codes/store-codes', { method: 'POST', body: {} });
  announce(`门店码：新建 ${r.created.length}，已有 ${r.existing.length}，跳过 ${r.skipped.length} Store codes: ${r.created.length} new`);
  await loadCodes();
}

async function select(id) {
  const code = await call(`/api/live-codes/${id}`);
  state.selected = code;
  const svg = await (await call(`/api/live-codes/${id}/qr.svg`, { raw: true })).text();
  $('lc-qr').src = `data:image/svg+xml;base64,${btoa(String.fromCharCode(...new TextEncoder().encode(svg)))}`;
  $('detail-heading').textContent = code.name;
  $('lc-disable').hidden = code.status !== 'active';
  const facts = [
    ['渠道 Channel', CHANNELS[code.channel] ?? code.channel],
    ['状态 Status', STATUS[code.status] ?? code.status],
    ['渠道参数 state', code.state],
    ['当前员工 Showing', code.activeUserIds.map(staffName).join('、')],
    ['接待员工 Staff', code.staff.map((s) => staffName(s.userId)).join('、')],
    ['备用员工 Fallback', code.fallback.map((s) => staffName(s.userId)).join('、') || '—'],
    ['每日上限 Daily limit', code.dailyAddLimit ?? '—'],
    ['欢迎语 Welcome', code.welcome ? `${code.welcome.templateId} v${code.welcome.version}` : '—'],
    ['失效 Expires', code.expiresAt ? new Date(code.expiresAt).toLocaleString('zh-CN') : '—'],
    ['二维码链接 QR URL', code.qrCode],
    ['欢迎语发送 Welcomes', welcomeSummary((await call(`/api/live-codes/${id}/welcomes`)).items)],
  ];
  $('lc-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })]));
  $('lc-detail').hidden = false;
  renderCodes();
  await loadStats();
}

/** Counts of the welcome ledger: sent, missed (window passed), failed (with errcodes), skipped (re-adds, holdout). */
function welcomeSummary(rows) {
  const count = (status) => rows.filter((r) => r.status === status).length;
  const codes = [...new Set(rows.filter((r) => r.errcode).map((r) => r.errcode))];
  return `已发送 Sent ${count('sent')} · 超时 Missed ${count('missed')} · 失败 Failed ${count('failed')}${codes.length ? `（${codes.join(', ')}）` : ''} · 跳过 Skipped ${count('skipped')}`;
}

async function download(ext) {
  if (!state.selected) return;
  const res = await call(`/api/live-codes/${state.selected.id}/qr.${ext}`, { raw: true, params: ext === 'png' ? { width: 1024 } : {} });
  saveBlob(await res.blob(), `${state.selected.name}.${ext}`);
}

async function disable() {
  if (!state.selected || !window.confirm('停用后二维码将无法再添加好友，确定吗？Disable this code? Its QR will stop working.')) return;
  await call(`/api/live-codes/${state.selected.id}/disable`, { method: 'POST' });
  announce('已停用 Disabled');
  await loadCodes();
  await select(state.selected.id);
}

/* ---------- numbers ---------- */

function statsParams() {
  return { from: $('stats-from').value, to: $('stats-to').value, liveCodeId: state.selected?.id };
}

async function loadStats() {
  state.report = await call('/api/live-codes/analytics', { params: statsParams() });
  const r = state.report;
  $('stats-scope').textContent = state.selected ? `· ${state.selected.name}` : '· 全部活码 All codes';
  $('stats-totals').replaceChildren(...COUNTS.map(([k, name]) => el('div', { 'data-count': k }, el('dt', { text: name }), el('dd', { text: String(r.totals[k]) }))));
  renderTable($('stats-store'), r.byStore);
  renderTable($('stats-staff'), r.byStaff);
  renderChart(r.byDay);
  renderCodes();
}

function renderTable(table, rows) {
  table.tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col', text: '名称 Name' }), ...COUNTS.map(([, name]) => el('th', { scope: 'col', text: name }))));
  table.tBodies[0].replaceChildren(...rows.map((b) => el('tr', {}, el('td', { text: b.label }), ...COUNTS.map(([k]) => el('td', { class: 'num', text: String(b[k]) })))));
}

function renderChart(days) {
  if (!echarts) return;
  state.chart ??= echarts.init($('stats-chart'));
  state.chart.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: days.map((d) => d.key.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: '新增 Adds', type: 'bar', stack: 'in', data: days.map((d) => d.adds), itemStyle: { color: '#0a7d4f' } },
        { name: '重复添加 Re-adds', type: 'bar', stack: 'in', data: days.map((d) => d.reAdds), itemStyle: { color: '#7fc8a9' } },
        { name: '流失 Lost', type: 'bar', data: days.map((d) => -d.lostTotal), itemStyle: { color: '#d92d20' } },
        { name: '净增 Net', type: 'line', data: days.map((d) => d.net), itemStyle: { color: '#1664ff' } },
      ],
    },
    true,
  );
}

async function exportCsv() {
  const res = await call('/api/live-codes/analytics.csv', { raw: true, params: statsParams() });
  saveBlob(new Blob([await res.text()], { type: 'text/csv' }), 'live-codes.csv');
}

/* ---------- start ---------- */

async function start() {
  $('lc-form').addEventListener('submit', (event) => createCode(event).catch(handle));
  $('lc-store-codes').addEventListener('click', () => storeCodes().catch(handle));
  $('lc-png').addEventListener('click', () => download('png').catch(handle));
  $('lc-svg').addEventListener('click', () => download('svg').catch(handle));
  $('lc-disable').addEventListener('click', () => disable().catch(handle));
  $('stats-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadStats().catch(handle);
  });
  $('stats-all').addEventListener('click', () => {
    state.selected = null;
    $('lc-detail').hidden = true;
    loadStats().catch(handle);
  });
  $('stats-csv').addEventListener('click', () => exportCsv().catch(handle));
  window.addEventListener('resize', () => state.chart?.resize());
  shell = await mountConsole({ active: 'live-codes', title: ['渠道活码', 'Live codes'] });
  await signIn();
}

start().catch(handle);
