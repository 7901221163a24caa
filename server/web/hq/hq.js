/* The HQ console (/hq): content templates, SOPs (publish, enable / pause, dry run, stats) and execution across
 * every SOP with ECharts charts. Plain module, no build step; ECharts is the global from /vendor/echarts.min.js. */
/* global window, location, URLSearchParams, setTimeout, clearTimeout */

import { ApiError } from '/web/shared/api.js';
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, bi, el, showError, td } from '/web/shared/dom.js';
import { vendorErrorText } from '/web/shared/vendor-errcodes.js';

const echarts = window.echarts;

/** [zh-CN, English] labels. */
const CHANNELS = { wecom_1to1: ['企微单聊', '1:1'], wecom_group: ['客户群', 'Groups'], wecom_moments: ['朋友圈', 'Moments'], kf: ['微信客服', 'kf'], official_account: ['公众号', 'Official account'] };
const SOP_STATUS = { draft: ['草稿', 'Draft'], enabled: ['已启用', 'Enabled'], paused: ['已暂停', 'Paused'] };
const TOUCH_STATUS = { sent: ['已发送', 'Sent'], skipped: ['已跳过', 'Skipped'], failed: ['失败', 'Failed'], scheduled: ['待发送', 'Scheduled'], held: ['暂停中', 'Held'], sending: ['发送中', 'Sending'] };
const TOUCH_COLORS = { sent: '#0a7d4f', skipped: '#98a2b3', failed: '#d92d20', scheduled: '#1664ff', held: '#f79009', sending: '#7a5af8' };
// Moments and group sends wait for the staff member to publish them in WeCom (sop read-back).
TOUCH_STATUS.awaiting = ['待员工发布', 'Awaiting staff'];
TOUCH_COLORS.awaiting = '#0e9384';
const RUN_STATUS = { active: ['进行中', 'Active'], paused: ['已暂停', 'Paused'], completed: ['已完成', 'Completed'], exited: ['已退出', 'Exited'] };
const STEP_TYPES = { send: ['发送', 'Send'], wait: ['等待', 'Wait'], task: ['员工任务', 'Task'], tag: ['打标签', 'Tag'], untag: ['移除标签', 'Untag'], branch: ['条件分支', 'Branch'] };
const EVENTS = { friend_added: '添加好友', tag_added: '打上标签', joined_group: '加入客户群', oa_subscribed: '关注公众号', kf_session_started: '发起客服会话' };
const REASONS = {
  quiet_hours: '免打扰时段 Quiet hours',
  'cap:daily': '每日频次上限 Daily cap',
  'cap:monthly': '每月频次上限 Monthly cap',
  'cap:priority': '让位于更高优先级 Outranked',
  sop_paused: 'SOP 已暂停 SOP paused',
  'suppressed:opted_out': '客户已退订 Opted out',
  'suppressed:unreachable': '客户无法触达 Unreachable',
  no_channel_account: '未配置渠道账号 No channel account',
  no_channel_identity: '客户无该渠道身份 No channel identity',
  vendor_refused_recipient: '平台拒收 Recipient refused',
  window_closed: '服务窗口已关闭 Window closed',
  contact_not_found: '找不到客户 Contact not found',
  no_owned_groups: '该员工不是任何客户群的群主 Owns no customer group',
  unconfirmed_after_crash: '中断后无法确认是否已发出，为免重复未再发送 Unconfirmed after a crash; not resent',
  not_published: '员工未在企业微信发表 Not published by staff',
};
const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '令牌无效或已过期，请重新登录。Token invalid or expired.',
  403: '此令牌没有总部权限。This token lacks HQ permission.',
  404: '找不到该记录。Not found.',
  409: '状态冲突。Conflict.',
  500: '服务器出错了，请稍后重试。Server error.',
};

const label = (map, key) => (map[key] ? `${map[key][0]} ${map[key][1]}` : key);
const reasonLabel = (r) => REASONS[r] ?? (r?.startsWith('vendor:') ? vendorErrorText(r) : r ?? '—');
const percent = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
const state = { corp: null, stores: new Map(), staff: new Map(), editing: null, sops: [], sop: null, dry: null, charts: new Map() };

const api = consoleApi({ errors: ERRORS });
/** The console shell (signOut, setActive) once mounted. */
let shell = null;

const num = (n) => td(n ?? 0, 'num');

let statusTimer;
function announce(text) {
  clearTimeout(statusTimer);
  $('status').textContent = text;
  statusTimer = setTimeout(() => ($('status').textContent = ''), 5000);
}
function handle(err) {
  if (err instanceof ApiError && err.status === 401) return signedOut(ERRORS[401]);
  showError(err instanceof ApiError ? err.message : `${ERRORS[500]} ${err?.message ?? ''}`);
}

/** A problem list: `{ path, message }` items (content checks add a code) under a heading with their count. */
function showProblems(box, heading, items) {
  box.replaceChildren(
    el('p', { class: 'problems-title', text: `${heading}：${items.length} 个问题 ${items.length} problem(s)` }),
    el('ul', {}, items.map((p) => el('li', {}, p.path ? el('code', { text: p.path }) : null, p.path ? ' ' : null, p.message, p.code ? el('span', { class: 'muted', text: ` (${p.code})` }) : null))),
  );
  box.hidden = false;
}
const problemsOf = (err) => (Array.isArray(err.error?.details) ? err.error.details : [{ path: '', message: err.error?.message ?? err.message }]);

/* ---------- sign-in and tabs ---------- */

function signedOut(message) {
  state.corp = null;
  shell?.signOut(message ?? '');
}

/** The tabs this role may open: store managers see their store's execution only. */
const tabsFor = (role) => (role === 'store_manager' ? ['exec'] : TABS);
/** The tab named by the address (#content, #sop, #exec), else the role's first. */
function tabFromAddress(role) {
  const name = location.hash.slice(1);
  const tabs = tabsFor(role);
  return tabs.includes(name) ? name : tabs[0];
}

async function signIn(me) {
  state.corp = me.corp;
  if (!state.corp) throw new ApiError(404, '没有可管理的企业。No corp to manage.');
  const [stores, staff] = await Promise.all([api('/api/stores'), api('/api/staff')]);
  state.stores = new Map(stores.items.map((s) => [s.id, s]));
  state.staff = new Map(staff.items.map((s) => [s.id, s]));
  $('corp-name').textContent = `${state.corp.name} · ${stores.items.length} 家门店`;
  for (const t of TABS) $(`tab-${t}`).hidden = !tabsFor(me.role).includes(t);
  $('tabs').hidden = false;
  showError('');
  await selectTab(tabFromAddress(me.role));
}

const TABS = ['content', 'sop', 'exec'];
async function selectTab(name) {
  for (const t of TABS) {
    const on = t === name;
    $(`tab-${t}`).setAttribute('aria-selected', String(on));
    $(`tab-${t}`).tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
  }
  showError('');
  shell?.setActive(name === 'exec' ? 'exec' : 'content');
  if (name === 'content') await loadTemplates();
  if (name === 'sop') await loadSops();
  if (name === 'exec') await loadExecution();
}

/* ---------- 内容 Content ---------- */

async function loadTemplates() {
  const q = $('tpl-q').value.trim();
  const res = await api(`/api/content/templates?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  $('tpl-count').textContent = `(${res.items.length})`;
  $('tpl-table').tBodies[0].replaceChildren(
    ...res.items.map((t) =>
      el(
        'tr',
        { 'data-template-id': t.templateId, class: t.templateId === state.editing ? 'selected' : null },
        el('td', {}, el('strong', { text: t.name }), el('br'), el('code', { class: 'muted', text: t.templateId })),
        td(t.scene),
        td(t.channels.map((c) => CHANNELS[c]?.[0] ?? c).join('、')),
        el('td', {}, t.publishedVersion ? `v${t.publishedVersion}` : el('span', { class: 'badge draft', text: '未发布 Unpublished' }), t.hasUnpublishedChanges && t.publishedVersion ? el('span', { class: 'badge warn', text: '草稿有改动 Changed' }) : null),
        el('td', {}, el('button', { type: 'button', class: 'btn small', 'aria-label': `编辑 ${t.name} Edit`, onclick: () => editTemplate(t.templateId).catch(handle) }, ...bi(['编辑', 'Edit']))),
      ),
    ),
  );
}

function renderChannelChecks(selected) {
  $('tpl-channels').replaceChildren(
    ...Object.entries(CHANNELS).map(([key, pair]) => el('label', {}, el('input', { type: 'checkbox', name: 'channels', value: key, checked: selected.includes(key) }), ` ${pair[0]} `, el('span', { lang: 'en', text: pair[1] }))),
  );
}

const editorHeading = (name) => $('editor-heading').replaceChildren(...bi(['编辑草稿', 'Edit draft']), el('span', { class: 'muted', text: ` · ${name}` }));

function newTemplate() {
  state.editing = null;
  $('tpl-form').reset();
  $('tpl-id').readOnly = false;
  renderChannelChecks(['wecom_1to1']);
  $('tpl-attachments').textContent = '';
  $('editor-heading').replaceChildren(...bi(['新建模板', 'New template']));
  $('tpl-problems').hidden = true;
  $('tpl-preview-box').hidden = true;
  $('tpl-id').focus();
}

async function editTemplate(templateId) {
  const t = await api(`/api/content/templates/${templateId}`);
  state.editing = t.templateId;
  $('tpl-id').value = t.templateId;
  $('tpl-id').readOnly = true;
  $('tpl-name').value = t.name;
  $('tpl-scene').value = t.scene;
  $('tpl-text').value = t.draft?.text ?? t.published?.text ?? '';
  renderChannelChecks(t.channels);
  const n = t.draft?.attachments?.length ?? 0;
  $('tpl-attachments').textContent = n ? `附件 ${n} 个（保持不变） ${n} attachment(s), kept as they are` : '';
  editorHeading(t.name);
  $('tpl-problems').hidden = true;
  $('tpl-preview-box').hidden = true;
  for (const row of $('tpl-table').tBodies[0].rows) row.classList.toggle('selected', row.dataset.templateId === templateId);
}

/** Saves the form as the draft (creating the template first time); false when the form itself is incomplete. */
async function saveDraft() {
  const form = $('tpl-form');
  const channels = [...form.querySelectorAll('input[name=channels]:checked')].map((c) => c.value);
  const body = { name: $('tpl-name').value.trim(), scene: $('tpl-scene').value.trim() || '通用', channels, text: $('tpl-text').value };
  const problems = [];
  if (!state.editing && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test($('tpl-id').value.trim())) problems.push({ path: 'templateId', message: '请填写 kebab-case 的模板 ID，如 tpl-welcome-day0' });
  if (!body.name) problems.push({ path: 'name', message: '请填写名称 Name is required' });
  if (!channels.length) problems.push({ path: 'channels', message: '至少选择一个渠道 Choose at least one channel' });
  if (problems.length) {
    showProblems($('tpl-problems'), '请补全表单 Complete the form', problems);
    return false;
  }
  try {
    if (state.editing) await api(`/api/content/templates/${state.editing}`, { method: 'PATCH', body });
    else {
      const created = await api('/api/content/templates', { method: 'POST', body: { templateId: $('tpl-id').value.trim(), ...body } });
      state.editing = created.templateId;
      $('tpl-id').readOnly = true;
      editorHeading(created.name);
    }
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status === 0) throw err;
    showProblems($('tpl-problems'), '无法保存 Cannot save', problemsOf(err));
    return false;
  }
  $('tpl-problems').hidden = true;
  return true;
}

async function publishTemplate() {
  if (!(await saveDraft())) return;
  let published = null;
  try {
    published = await api(`/api/content/templates/${state.editing}/publish`, { method: 'POST' });
    $('tpl-problems').hidden = true;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status === 0) throw err;
    showProblems($('tpl-problems'), '无法发布 Cannot publish', problemsOf(err));
  }
  await loadTemplates();
  if (published) announce(`已发布 ${published.templateId} v${published.version} Published`);
}

async function previewTemplate() {
  if (!(await saveDraft())) return;
  const p = await api(`/api/content/templates/${state.editing}/preview`, { method: 'POST', body: {} });
  $('preview-who').textContent = `· 示例客户 Sample contact：${p.context.contact.name} · ${p.context.store.name}`;
  $('preview-text').textContent = p.text;
  const vars = p.variables;
  const notes = [`${p.size.chars} 字 chars · ${p.size.bytes} 字节 bytes`];
  if (p.attachments.length) notes.push(`附件 ${p.attachments.length} attachments`);
  if (vars.unknown.length) notes.push(`未知变量 Unknown: ${vars.unknown.join(', ')}`);
  if (vars.missing.length) notes.push(`缺少取值 Missing: ${vars.missing.join(', ')}`);
  $('preview-meta').textContent = notes.join(' · ');
  $('preview-checks').replaceChildren(
    ...(p.checks.length ? p.checks.map((c) => el('li', { class: 'bad' }, el('code', { text: c.path }), ` ${c.message}`)) : [el('li', { class: 'good', text: '✓ 发布检查通过 Passes the publish checks' })]),
  );
  $('tpl-preview-box').hidden = false;
}

/* ---------- SOP ---------- */

function triggerText(t) {
  if (t.type === 'event') {
    const filters = [t.state_prefix && `渠道码 state 以 ${t.state_prefix} 开头`, t.tag && `标签 ${t.tag}`, t.group_name_prefix && `群名以 ${t.group_name_prefix} 开头`, t.scene_prefix && `场景以 ${t.scene_prefix} 开头`, t.scene && `场景 ${t.scene}`].filter(Boolean);
    return `事件 Event：${EVENTS[t.event] ?? t.event}${filters.length ? `（${filters.join('，')}）` : ''}`;
  }
  if (t.type === 'schedule') return `定时 Schedule：${t.cron}`;
  const parts = [t.tags?.all && `标签含全部 ${t.tags.all.join('、')}`, t.tags?.any && `标签含任一 ${t.tags.any.join('、')}`, t.tags?.none && `不含 ${t.tags.none.join('、')}`, t.stores && `门店 ${t.stores.join('、')}`, t.lifecycle && `阶段 ${t.lifecycle.join('、')}`].filter(Boolean);
  return `人群 Audience：${parts.join('，')}${t.daily_at ? `，每天 ${t.daily_at}` : ''}`;
}

async function loadSops() {
  const res = await api('/api/sops');
  state.sops = res.items;
  $('sop-count').textContent = `(${res.items.length})`;
  $('sop-table').tBodies[0].replaceChildren(
    ...res.items.map((s) => {
      const action = s.status === 'enabled' ? ['pause', ['暂停', 'Pause']] : ['enable', ['启用', 'Enable']];
      return el(
        'tr',
        { 'data-sop-id': s.sopId, class: s.sopId === state.sop?.sopId ? 'selected' : null },
        el('td', {}, el('strong', { text: s.name }), el('br'), el('code', { class: 'muted', text: s.sopId })),
        el('td', {}, el('span', { class: `badge ${s.status}` }, ...bi(SOP_STATUS[s.status] ?? [s.status, '']))),
        td(`v${s.version}`),
        td(triggerText(s.trigger)),
        num(s.steps),
        el(
          'td',
          { class: 'actions' },
          el('button', { type: 'button', class: 'btn small', 'aria-label': `试运行 ${s.name} Dry run`, onclick: () => openSop(s.sopId, 'dry').catch(handle) }, ...bi(['试运行', 'Dry run'])),
          el('button', { type: 'button', class: `btn small ${action[0] === 'enable' ? 'primary' : ''}`, 'aria-label': `${action[1][0]} ${s.name} ${action[1][1]}`, onclick: () => setSopStatus(s, action[0]).catch(handle) }, ...bi(action[1])),
          el('button', { type: 'button', class: 'btn small', 'aria-label': `执行统计 ${s.name} Stats`, onclick: () => openSop(s.sopId, 'stats').catch(handle) }, ...bi(['统计', 'Stats'])),
        ),
      );
    }),
  );
}

async function publishSop(event) {
  event.preventDefault();
  const yaml = $('sop-yaml').value;
  if (!yaml.trim()) return showProblems($('sop-problems'), '无法发布 SOP Cannot publish', [{ path: 'yaml', message: '请粘贴 SOP 的 YAML 定义 Paste the YAML definition' }]);
  try {
    const sop = await api('/api/sops', { method: 'POST', body: { yaml } });
    $('sop-problems').hidden = true;
    $('sop-publish-box').open = false;
    await loadSops();
    await openSop(sop.sopId, 'dry');
    announce(`已发布 SOP「${sop.name}」v${sop.version}（${SOP_STATUS[sop.status]?.[0] ?? sop.status}）Published`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status === 0) throw err;
    showProblems($('sop-problems'), '无法发布 SOP Cannot publish', problemsOf(err));
  }
}

async function setSopStatus(sop, action) {
  const res = await api(`/api/sops/${sop.sopId}/${action}`, { method: 'POST' });
  const audience = res.audience ? `：${res.audience.explanation?.zh ?? `匹配 ${res.audience.matched} 人，已加入 ${res.audience.enrolled} 人`}` : '';
  await loadSops();
  if (state.sop?.sopId === sop.sopId) await openSop(sop.sopId, $('sop-stats').hidden ? 'dry' : 'stats');
  announce(`${sop.name}：${label(SOP_STATUS, res.status)}${audience}`);
}

async function openSop(sopId, view) {
  const detail = await api(`/api/sops/${sopId}`);
  state.sop = detail;
  $('sop-detail-heading').replaceChildren(detail.name, ' ', el('span', { class: 'muted', text: `v${detail.version} · ` }), el('span', { class: `badge ${detail.status}` }, ...bi(SOP_STATUS[detail.status] ?? [detail.status, ''])));
  $('sop-detail').hidden = false;
  for (const row of $('sop-table').tBodies[0].rows) row.classList.toggle('selected', row.dataset.sopId === sopId);
  $('sop-show-dry').setAttribute('aria-pressed', String(view === 'dry'));
  $('sop-show-stats').setAttribute('aria-pressed', String(view === 'stats'));
  $('dry-run').hidden = view !== 'dry';
  $('sop-stats').hidden = view !== 'stats';
  if (view === 'dry') await loadDryRun(sopId);
  else await loadSopStats(sopId);
  $('sop-detail').scrollIntoView({ block: 'nearest' });
}

function formatLocal(at, timezone) {
  return new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}

async function loadDryRun(sopId) {
  const dry = await api(`/api/sops/${sopId}/dry-run`);
  state.dry = dry;
  const eventTriggered = dry.trigger.type === 'event';
  $('dry-summary').textContent = `${triggerText(dry.trigger)} · 假设现在进入，按各门店当地时间排期 Entry assumed now, planned in each store's time zone${eventTriggered ? ' · 事件触发：客户在事件发生时逐个进入 Event-triggered: contacts enter one by one' : ''}`;
  $('dry-stores').tBodies[0].replaceChildren(
    ...dry.perStore.map((s) => el('tr', { 'data-store-id': s.storeId }, td(s.store), td(s.timezone), td(s.contacts === null ? '按事件进入 per event' : `${s.contacts} 人`, 'num'), num(s.timeline.length))),
  );
  // The server's count is what enabling will count (per-store rows overlap for contacts of two stores).
  if (dry.audience) $('dry-summary').append(` · ${dry.audience.explanation.zh} ${dry.audience.explanation.en}`);
  $('dry-store').replaceChildren(...dry.perStore.map((s) => el('option', { value: s.storeId, text: `${s.store}（${s.timezone}）` })));
  renderTimeline();
}

function renderTimeline() {
  const store = state.dry?.perStore.find((s) => s.storeId === $('dry-store').value) ?? state.dry?.perStore[0];
  const steps = new Map((state.sop?.definition.steps ?? []).map((s) => [s.id, s]));
  $('dry-timeline').tBodies[0].replaceChildren(
    ...(store?.timeline ?? []).map((p) => {
      const step = steps.get(p.step);
      const detail = step?.type === 'send' ? ` · ${CHANNELS[step.channel]?.[0] ?? step.channel}` : '';
      return el('tr', { class: `step-${p.type}` }, el('td', { class: 'time', text: formatLocal(p.at, store.timezone) }), el('td', {}, step?.title ?? p.step, ' ', el('code', { class: 'muted', text: p.step })), td(`${label(STEP_TYPES, p.type)}${detail}`));
    }),
  );
}

async function loadSopStats(sopId) {
  const s = await api(`/api/sops/${sopId}/stats`);
  const byStatus = {};
  for (const t of s.touches) byStatus[t.status] = (byStatus[t.status] ?? 0) + t.count;
  const cards = [
    ...Object.keys(TOUCH_STATUS).filter((k) => byStatus[k]).map((k) => [TOUCH_STATUS[k], byStatus[k], k]),
    ...Object.entries(s.runs).map(([k, n]) => [RUN_STATUS[k] ? [`运行·${RUN_STATUS[k][0]}`, `Runs ${RUN_STATUS[k][1]}`] : [k, ''], n, `run-${k}`]),
  ];
  $('stats-cards').replaceChildren(...(cards.length ? cards.map(([pair, n, key]) => statCard(pair, n, key)) : [el('p', { class: 'muted', text: '还没有执行记录。Nothing has run yet.' })]));
  $('stats-reasons').tBodies[0].replaceChildren(...s.touches.map((t) => el('tr', {}, td(label(TOUCH_STATUS, t.status)), td(t.reason ? reasonLabel(t.reason) : '—'), num(t.count))));
  const statuses = Object.keys(TOUCH_STATUS).filter((k) => s.byStore.some((r) => r[k]));
  $('stats-stores').tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col', text: '门店 Store' }), ...statuses.map((k) => el('th', { scope: 'col', class: 'num', text: TOUCH_STATUS[k][0] })), el('th', { scope: 'col', class: 'num', text: '合计 Total' })));
  $('stats-stores').tBodies[0].replaceChildren(...s.byStore.map((r) => el('tr', {}, td(state.stores.get(r.storeId)?.name ?? (r.storeId === 'none' ? '无门店 No store' : r.storeId)), ...statuses.map((k) => num(r[k])), num(r.total))));
}

function statCard(pair, value, key) {
  const some = typeof value === 'number' && value > 0 ? ' some' : '';
  return el('div', { class: `stat ${key ?? ''}${some}` }, el('span', { class: 'stat-label' }, ...bi(pair)), el('strong', { class: 'stat-value', text: String(value) }));
}

/* ---------- 执行 Execution ---------- */

async function loadExecution(fromForm = false) {
  const params = new URLSearchParams();
  if (fromForm && $('exec-from').value) params.set('from', $('exec-from').value);
  if (fromForm && $('exec-to').value) params.set('to', $('exec-to').value);
  const query = params.toString();
  const x = await api(`/api/sop-execution${query ? `?${query}` : ''}`);
  $('exec-from').value = x.from;
  $('exec-to').value = x.to;
  $('exec-tz').textContent = `${x.from} 至 ${x.to}（${x.timezone}）`;
  const c = x.completion.total;
  const t = x.touches.total;
  $('exec-cards').replaceChildren(
    statCard(['任务完成率', 'Completion'], percent(c.rate), 'rate'),
    statCard(['任务', 'Tasks'], `${c.done} / ${c.total}`, 'tasks'),
    ...['sent', 'skipped', 'failed', 'scheduled', 'held'].map((k) => statCard(TOUCH_STATUS[k], t[k], k)),
  );
  renderCompletionTable(x.completion);
  renderTouchTable(x.touches);
  await loadBacklog();
  const stores = x.completion.regions.flatMap((r) => r.stores);
  chart('chart-completion', {
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === '-' ? '—' : `${v}%`) },
    grid: { left: 48, right: 16, top: 24, bottom: 48 },
    xAxis: { type: 'category', data: stores.map((s) => s.name), axisLabel: { interval: 0, rotate: stores.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{ name: '完成率 Completion', type: 'bar', barMaxWidth: 48, itemStyle: { color: '#0a7d4f' }, label: { show: true, position: 'top', formatter: (p) => (p.value === '-' ? '' : `${p.value}%`) }, data: stores.map((s) => (s.rate === null ? '-' : Math.round(s.rate * 1000) / 10)) }],
  });
  const statuses = x.touches.statuses.filter((k) => k !== 'sending' || t.sending > 0);
  chart('chart-touches', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, data: statuses.map((k) => TOUCH_STATUS[k][0]) },
    grid: { left: 48, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: x.touches.stores.map((s) => s.name), axisLabel: { interval: 0, rotate: x.touches.stores.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: statuses.map((k) => ({ name: TOUCH_STATUS[k][0], type: 'bar', stack: 'touches', barMaxWidth: 48, itemStyle: { color: TOUCH_COLORS[k] }, data: x.touches.stores.map((s) => s.counts[k]) })),
  });
  await loadTrend(x.from, x.to);
}

/** Seconds as the largest whole unit a person reads at a glance. */
function age(s) {
  if (s < 60) return `${Math.round(s)} 秒`;
  if (s < 3600) return `${Math.floor(s / 60)} 分钟`;
  if (s < 86_400) return `${Math.floor(s / 3600)} 小时`;
  return `${Math.floor(s / 86_400)} 天`;
}

/** The queues now (as /metrics shows them): a growing one is seen here before customers notice. */
async function loadBacklog() {
  const b = await api('/api/sop-execution/backlog');
  const card = (pair, n, oldestS, key) => {
    const c = statCard(pair, n, key);
    c.append(el('span', { class: 'stat-label', text: n > 0 ? `最久 ${age(oldestS)} Oldest` : '无积压 None waiting' }));
    return c;
  };
  $('exec-backlog').replaceChildren(
    ...(b.inbox ? [card(['待处理回调', 'Callbacks waiting'], b.inbox.pending, b.inbox.oldestAgeS, 'backlog-inbox')] : []),
    card(['到期未发触达', 'Touches due, not sent'], b.touches.due, b.touches.oldestAgeS, 'backlog-touches'),
  );
}

/** Day by day from the nightly rollups (written at 02:00 store time for the day before; today is not in them yet). */
async function loadTrend(from, to) {
  const { items } = await api(`/api/sop-execution/daily?from=${from}&to=${to}`);
  const days = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) days.push(d.toISOString().slice(0, 10));
  const sum = (day, pick) => items.filter((r) => r.localDate === day).reduce((n, r) => n + pick(r), 0);
  const sent = days.map((d) => sum(d, (r) => r.touches.sent));
  const rate = days.map((d) => {
    const total = sum(d, (r) => r.tasks.total);
    return total ? Math.round((sum(d, (r) => r.tasks.done) / total) * 1000) / 10 : '-';
  });
  $('trend-note').textContent = items.length ? '' : '尚无夜间汇总：每天 02:00（门店时间）汇总前一天。 No nightly rollups yet: each store is rolled up at 02:00 local time for the day before.';
  chart('chart-trend', {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: ['已发送 Sent', '任务完成率 Completion'] },
    grid: { left: 48, right: 48, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: days },
    yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }],
    series: [
      { name: '已发送 Sent', type: 'bar', barMaxWidth: 32, itemStyle: { color: TOUCH_COLORS.sent }, data: sent },
      { name: '任务完成率 Completion', type: 'line', yAxisIndex: 1, connectNulls: false, itemStyle: { color: '#0a7d4f' }, data: rate },
    ],
  });
}

function chart(id, option) {
  const dom = $(id);
  const instance = state.charts.get(id) ?? echarts.init(dom, null, { renderer: 'canvas', locale: 'ZH' });
  state.charts.set(id, instance);
  instance.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...option }, true);
  instance.resize();
}

function rateCell(rate) {
  return el('td', { class: 'rate-col' }, el('meter', { min: '0', max: '1', value: String(rate ?? 0), 'aria-hidden': 'true' }), el('span', { class: 'rate', text: percent(rate) }));
}

function renderCompletionTable(tree) {
  const rows = [];
  const line = (level, name, c, extra) => el('tr', { class: `level-${level}` }, el(level === 2 ? 'td' : 'th', { scope: level === 2 ? null : 'row', class: 'name' }, name, extra ? el('span', { class: 'muted', text: ` ${extra}` }) : null), num(c.done), num(c.skipped), num(c.open), num(c.total), rateCell(c.rate));
  for (const r of tree.regions) {
    rows.push(line(0, r.region, r, `${r.stores.length} 家门店`));
    for (const s of r.stores) {
      rows.push(line(1, s.name, s, s.city));
      for (const p of s.staff) rows.push(line(2, p.name, p));
    }
  }
  rows.push(el('tr', { class: 'total' }, el('th', { scope: 'row', text: '合计 Total' }), num(tree.total.done), num(tree.total.skipped), num(tree.total.open), num(tree.total.total), rateCell(tree.total.rate)));
  $('exec-table').tBodies[0].replaceChildren(...rows);
}

function renderTouchTable(touches) {
  const statuses = touches.statuses.filter((k) => k !== 'sending' || touches.total.sending > 0);
  const head = [el('th', { scope: 'col' }, ...bi(['门店', 'Store'])), ...statuses.map((k) => el('th', { scope: 'col', class: 'num' }, ...bi(TOUCH_STATUS[k])))];
  $('touch-table').tHead.replaceChildren(el('tr', {}, ...head, el('th', { scope: 'col', class: 'num' }, ...bi(['合计', 'Total'])), el('th', { scope: 'col' }, ...bi(['主要原因', 'Top reasons']))));
  $('touch-table').tBodies[0].replaceChildren(
    ...touches.stores.map((s) =>
      el(
        'tr',
        { 'data-store-id': s.storeId ?? 'none' },
        el('th', { scope: 'row' }, s.name, el('span', { class: 'muted', text: ` ${s.region}` })),
        ...statuses.map((k) => el('td', { class: `num ${k}${s.counts[k] ? ' some' : ''}`, text: String(s.counts[k]) })),
        num(s.total),
        td(s.topReasons.map((r) => `${TOUCH_STATUS[r.status]?.[0] ?? r.status}·${reasonLabel(r.reason)} ${r.count}`).join('；') || '—', 'reasons'),
      ),
    ),
  );
  $('reason-table').tBodies[0].replaceChildren(
    ...(touches.reasons.length ? touches.reasons.map((r) => el('tr', {}, td(label(TOUCH_STATUS, r.status)), td(reasonLabel(r.reason)), num(r.count))) : [el('tr', {}, el('td', { colspan: '3', class: 'muted', text: '没有跳过、失败或暂停的触达。No skipped, failed or held touches.' }))]),
  );
  $('deferrals').textContent = touches.deferrals.length ? `延后发送 Deferred：${touches.deferrals.map((d) => `${reasonLabel(d.reason)} ${d.count}`).join('；')}` : '';
}

/* ---------- start ---------- */

function onTabKey(event) {
  const tabs = tabsFor(shell?.me.role);
  const i = tabs.findIndex((t) => `tab-${t}` === event.currentTarget.id);
  const next = event.key === 'ArrowRight' ? (i + 1) % tabs.length : event.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
  if (next < 0) return;
  event.preventDefault();
  $(`tab-${tabs[next]}`).focus();
  selectTab(tabs[next]).catch(handle);
}

async function start() {
  for (const t of TABS) {
    $(`tab-${t}`).addEventListener('click', () => selectTab(t).catch(handle));
    $(`tab-${t}`).addEventListener('keydown', onTabKey);
  }
  $('tpl-new').addEventListener('click', newTemplate);
  $('tpl-search').addEventListener('submit', (event) => {
    event.preventDefault();
    loadTemplates().catch(handle);
  });
  $('tpl-form').addEventListener('submit', (event) => {
    event.preventDefault();
    saveDraft()
      .then(async (ok) => {
        if (!ok) return;
        await loadTemplates();
        announce('草稿已保存 Draft saved');
      })
      .catch(handle);
  });
  $('tpl-publish').addEventListener('click', () => publishTemplate().catch(handle));
  $('tpl-preview').addEventListener('click', () => previewTemplate().catch(handle));
  $('sop-form').addEventListener('submit', (event) => publishSop(event).catch(handle));
  $('sop-show-dry').addEventListener('click', () => state.sop && openSop(state.sop.sopId, 'dry').catch(handle));
  $('sop-show-stats').addEventListener('click', () => state.sop && openSop(state.sop.sopId, 'stats').catch(handle));
  $('dry-store').addEventListener('change', renderTimeline);
  $('exec-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadExecution(true).catch(handle);
  });
  window.addEventListener('resize', () => {
    for (const c of state.charts.values()) c.resize();
  });
  renderChannelChecks(['wecom_1to1']);
  shell = await mountConsole({ active: (me) => (tabFromAddress(me.role) === 'exec' ? 'exec' : 'content'), title: ['总部控制台', 'HQ console'] });
  // The nav's 总览/执行 and SOP & 内容 entries point at this page's tabs (#exec, #content).
  window.addEventListener('hashchange', () => selectTab(tabFromAddress(shell.me.role)).catch(handle));
  await signIn(shell.me).catch(handle);
}

start().catch(handle);
