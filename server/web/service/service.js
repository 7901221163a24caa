/* The service desk (/service): the waiting pool, my sessions, one conversation with the customer's profile,
 * knowledge search with one-click insert, take / reply / transfer / end (with the question category), the review
 * queue, and the numbers (ECharts, the global from /vendor/echarts.min.js, and the table). */
/* global localStorage, setInterval, window */

import { createApi } from '/web/shared/api.js';
import { $, bi, el, showError, td } from '/web/shared/dom.js';
import { tokenSignIn } from '/web/shared/token-sign-in.js';

const TOKEN_KEY = 'siyu.service.token';
// Someone signed in to the console (HQ, a marketer, a store manager) opens 客服 from its navigation without a
// second sign-in: read only (numbers, the review queue, the knowledge base) unless the token is a staff member's.
const CONSOLE_TOKEN_KEY = 'siyu.hq.token';
const token = () => localStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(CONSOLE_TOKEN_KEY);
const REFRESH_MS = 5000;
const STATES = { 0: ['未处理', 'New'], 1: ['智能助手', 'Bot'], 2: ['待接入', 'Waiting'], 3: ['人工接待', 'With a servicer'], 4: ['已结束', 'Ended'] };
const WHO = { customer: ['客户', 'Customer'], bot: ['智能助手', 'Bot'], servicer: ['客服', 'Servicer'], system: ['系统', 'System'] };
const RATING = { 3: '很满意 Very satisfied', 2: '满意 Satisfied', 1: '不满意 Unsatisfied' };
const ERRORS = {
  400: '输入有误，请检查后重试。 Please check the input.',
  401: '登录已失效，请重新登录。 Your sign-in expired.',
  403: '你的账号不能做这个操作（接待需要员工令牌，沉淀知识需要总部或市场令牌）。 Your token may not do this.',
  404: '会话或记录不存在。 Not found.',
  500: '服务器出错，请稍后重试。 Server error, try again later.',
  503: '企业微信尚未配置，无法处理客服会话。 WeCom is not set up.',
  network: '网络连接失败，请检查网络。 Network unreachable.',
};

const api = createApi({ token, accept: 'application/json', errors: ERRORS, message: (status, error, errors) => (status === 409 ? error?.message : undefined) ?? errors[status] ?? error?.message ?? errors[500] });
const state = { me: null, reception: 'desk', selected: null, session: null };

const timeOf = (at) => (at ? new Date(at).toLocaleString('zh-CN', { hour12: false }) : '');
const nameOf = (s) => s.customerName || `微信客户 ${s.externalUserId.slice(-6)}`;

function fail(err) {
  if (err.status === 401) return signedOut(err.message);
  showError(err.message);
}

function signedOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('signed-out').hidden = false;
  $('status').textContent = '';
  showError(message);
}

function sessionItem(s) {
  return el(
    'li',
    {},
    el('button', { type: 'button', 'aria-current': s.id === state.selected ? 'true' : 'false', onclick: () => select(s.id) }, nameOf(s), el('span', { class: 'when', text: `${STATES[s.state].join(' ')} · ${timeOf(s.lastMessageAt)}` })),
  );
}

function renderList(id, sessions, empty) {
  $(id).replaceChildren(...(sessions.length ? sessions.map(sessionItem) : [el('li', { class: 'muted' }, ...bi(empty))]));
  $(`${id}-count`).textContent = sessions.length ? `(${sessions.length})` : '';
}

async function loadDesk() {
  const desk = await api('/api/kf/desk');
  state.me = desk.me;
  state.reception = desk.reception;
  renderList('pool', desk.pool, ['没有等待的客户。智能助手答不了的问题会出现在这里。', 'No one is waiting; what the bot cannot answer lands here.']);
  renderList('mine', desk.mine, ['你还没有接待中的会话：从「待接入」接入一个。', 'No sessions yet: take one from Waiting.']);
}

function renderProfile(profile, s) {
  const rows = [['客户 Customer', nameOf(s)], ['来源 Source', `微信客服 ${s.openKfId}`]];
  if (profile?.contact) {
    const c = profile.contact;
    if (c.phone) rows.push(['手机 Phone', c.phone]);
    if (profile.tags?.length) rows.push(['标签 Tags', profile.tags.map((t) => t.name).join('、')]);
    if (profile.store?.name) rows.push(['门店 Store', profile.store.name]);
    if (profile.follows?.length) rows.push(['跟进 Followed by', profile.follows.map((f) => f.staffName).join('、')]);
    for (const n of (profile.notes ?? []).slice(0, 3)) rows.push(['备注 Note', n.text]);
  } else {
    rows.push(['说明 Note', '仅在微信客服联系过，暂无企业微信资料。 Known from 微信客服 only.']);
  }
  if (s.rating) rows.push(['评价 Rating', RATING[s.rating]]);
  $('profile').className = 'profile';
  $('profile').replaceChildren(el('dl', {}, ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])));
}

function renderSession({ session: s, profile }) {
  state.session = s;
  $('conv-empty').hidden = true;
  $('conv').hidden = false;
  $('conv-meta').textContent = `${nameOf(s)} · ${STATES[s.state].join(' ')}${s.servicerUserId ? ` · 接待 ${s.servicerUserId}` : ''} · 开始 ${timeOf(s.startedAt)}`;
  $('messages').replaceChildren(
    ...s.messages.map((m) => el('li', { class: m.from }, el('span', { class: 'who', text: `${WHO[m.from].join(' ')}${m.servicerUserId ? ` ${m.servicerUserId}` : ''} · ${timeOf(m.at)}` }), m.text)),
  );
  $('messages').scrollTop = $('messages').scrollHeight;
  const mine = s.state === 3 && s.servicerUserId === state.me;
  $('take').hidden = s.state !== 2;
  $('transfer').disabled = !mine;
  $('transfer-to').disabled = !mine;
  $('end').disabled = s.state === 4 || (s.state === 3 && !mine);
  $('end-category').disabled = $('end').disabled;
  // In wecom_client mode WeCom refuses API sends once the session is in its pool or with a servicer (95018).
  const native = state.reception === 'wecom_client' && s.state >= 2 && s.state < 4;
  $('native-note').hidden = !native;
  // The ticket is owned by the agent who raises it (the API takes another ownerStaffId).
  $('ticket-form').hidden = !(mine || s.state === 4);
  $('reply-form').hidden = native || !(mine || s.state === 1 || s.state === 0);
  renderProfile(profile, s);
}

async function select(id) {
  state.selected = id;
  showError('');
  try {
    renderSession(await api(`/api/kf/desk/sessions/${id}`));
    await Promise.all([loadDesk(), loadServicers()]);
  } catch (err) {
    fail(err);
  }
}

async function loadServicers() {
  const s = state.session;
  if (!s) return;
  const { items } = await api('/api/kf/desk/servicers', { params: { openKfId: s.openKfId } }).catch(() => ({ items: [] }));
  const others = items.filter((i) => i.userId !== state.me);
  $('transfer-to').replaceChildren(...(others.length ? others.map((i) => el('option', { value: i.userId, text: `${i.userId}${i.onDuty ? '' : '（停止接待）'}` })) : [el('option', { value: '', text: '没有其他接待人员 No colleague' })]));
}

async function act(path, body = {}) {
  showError('');
  const s = state.session;
  try {
    await api(`/api/kf/desk/sessions/${s.id}/${path}`, { method: 'POST', body });
    await select(s.id);
    return true;
  } catch (err) {
    fail(err);
    return false;
  }
}

async function searchKnowledge(q) {
  const { items } = await api('/api/kf/knowledge', { params: { search: q || undefined, enabled: 'true', pageSize: 10 } });
  $('kb').replaceChildren(
    ...(items.length
      ? items.map((e) =>
          el(
            'li',
            {},
            el('div', { class: 'q', text: e.question }),
            el('div', { class: 'a', text: e.answer.text }),
            el('button', { type: 'button', class: 'btn', onclick: () => insert(e.answer.text) }, ...bi(['插入', 'Insert'])),
          ),
        )
      : [el('li', { class: 'muted' }, ...bi(['没有找到相关知识，可换个说法再搜。', 'Nothing found; try other words.']))]),
  );
}

function insert(text) {
  const box = $('reply-text');
  box.value = box.value ? `${box.value}\n${text}` : text;
  box.focus();
}

async function loadReview() {
  const { items } = await api('/api/kf/review');
  $('review').replaceChildren(
    ...(items.length
      ? items.map((r) =>
          el(
            'li',
            {},
            el('div', {}, el('strong', { text: r.question }), ' ', el('span', { class: 'muted', text: `${r.reason === 'handover' ? '转人工关键词' : '未能回答'} · ${timeOf(r.askedAt)}` })),
            el(
              'div',
              { class: 'candidates' },
              el('button', { type: 'button', class: 'btn primary', onclick: () => promoteReply(r) }, ...bi(['用客服回复新建知识', 'New entry from the reply'])),
              ...r.candidates.map((c) => el('button', { type: 'button', class: 'btn', onclick: () => promote(r.id, { entryId: c.entryId }) }, `加为「${c.question}」的相似问法`)),
              el('button', { type: 'button', class: 'btn', onclick: () => dismiss(r.id) }, ...bi(['忽略', 'Dismiss'])),
            ),
          ),
        )
      : [el('li', { class: 'muted' }, ...bi(['没有待补充的问题：智能助手答不上的问题会出现在这里。', 'Nothing to review yet.']))]),
  );
}

async function promoteReply(r) {
  try {
    const { session } = await api(`/api/kf/desk/sessions/${r.sessionId}`);
    const reply = [...session.messages].reverse().find((m) => m.from === 'servicer');
    if (!reply) return showError('该会话还没有客服回复，无法沉淀。 The session has no servicer reply yet.');
    await promote(r.id, { answer: reply.text });
  } catch (err) {
    fail(err);
  }
}

async function promote(id, body) {
  showError('');
  try {
    await api(`/api/kf/review/${id}/promote`, { method: 'POST', body });
    $('status').textContent = '已沉淀到知识库 Added to the knowledge base';
    await loadReview();
  } catch (err) {
    fail(err);
  }
}

async function dismiss(id) {
  try {
    await api(`/api/kf/review/${id}/dismiss`, { method: 'POST', body: {} });
    await loadReview();
  } catch (err) {
    fail(err);
  }
}

const pct = (x) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const secs = (x) => (x === null ? '—' : x < 90 ? `${Math.round(x)} 秒` : `${Math.round(x / 60)} 分`);
const percent = (x) => (x === null ? null : Math.round(x * 1000) / 10);
const charts = new Map();

/** Every day of [from, to), with the API's row or an empty one (days without sessions have no row). */
function everyDay(from, to, rows) {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const out = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) < to; d.setUTCDate(d.getUTCDate() + 1)) {
    const key = d.toISOString().slice(0, 10);
    out.push(byKey.get(key) ?? { key, sessions: 0, botHitRate: null, handoverRate: null, fcrRate: null });
  }
  return out;
}

function chart(id, option) {
  const echarts = window.echarts;
  if (!echarts) return;
  const instance = charts.get(id) ?? echarts.init($(id), null, { renderer: 'canvas', locale: 'ZH' });
  charts.set(id, instance);
  instance.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...option }, true);
  instance.resize();
}

function renderCharts(days) {
  const labels = days.map((d) => d.key.slice(5));
  chart('chart-sessions', {
    tooltip: { trigger: 'axis' },
    grid: { left: 36, right: 12, top: 16, bottom: 28 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: '会话 Sessions', type: 'bar', barMaxWidth: 36, data: days.map((d) => d.sessions), itemStyle: { color: '#0f766e' } }],
  });
  chart('chart-rates', {
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`) },
    legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
    grid: { left: 40, right: 12, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: '机器人解决 Bot hit', type: 'line', connectNulls: false, data: days.map((d) => percent(d.botHitRate)), itemStyle: { color: '#0284c7' } },
      { name: '转人工 Handover', type: 'line', connectNulls: false, data: days.map((d) => percent(d.handoverRate)), itemStyle: { color: '#d97706' } },
      { name: '首次联系解决 FCR', type: 'line', connectNulls: false, data: days.map((d) => percent(d.fcrRate)), itemStyle: { color: '#16a34a' } },
    ],
  });
}

const fcrCell = (r) => (r.fcrRate === null ? td('待定 Pending', 'pending') : td(`${pct(r.fcrRate)}（${r.fcrJudged} 判）`));

async function loadNumbers() {
  const by = $('numbers-by').value;
  // The period and zone are the API's defaults: the last 7 days of the corp, today included.
  const daily = await api('/api/kf/stats', { params: { by: 'day' } });
  const table = by === 'day' ? daily : await api('/api/kf/stats', { params: { by } });
  renderCharts(everyDay(daily.from, daily.to, daily.rows));
  const last = everyDay(daily.from, daily.to, []).at(-1)?.key ?? daily.from;
  $('numbers-source').textContent = `${daily.from} 至 ${last} · ${daily.timeZone}${daily.truncated ? ' · 会话过多，只统计了一部分 Truncated: too many sessions' : ''}`;
  $('numbers').replaceChildren(
    ...(table.rows.length
      ? table.rows.map((r) =>
          el('tr', {}, td(r.key), td(r.sessions), td(pct(r.botHitRate)), td(pct(r.suggestionClickRate)), td(pct(r.handoverRate)), td(secs(r.firstBotResponseSeconds)), td(secs(r.firstHumanResponseSeconds)), td(secs(r.resolutionSeconds)), fcrCell(r), td(r.satisfaction === null ? '—' : `${r.satisfaction.toFixed(1)} / 3（${r.rated} 评）`)),
        )
      : [el('tr', {}, el('td', { colspan: '10', class: 'muted' }, ...bi(['近 7 天还没有客服会话：客户在微信客服里提问后，这里按天显示。', 'No sessions in the last 7 days: they show here once customers ask in 微信客服.'])))]),
  );
}

/** Colleagues a ticket can go to; the first choice (empty) leaves it with the agent who raises it. */
async function loadOwners() {
  const { items } = await api('/api/kf/desk/ticket-owners').catch(() => ({ items: [] }));
  $('ticket-owner').replaceChildren(el('option', { value: '', text: '负责人：我自己 Owner: me' }), ...items.filter((s) => s.userId !== state.me).map((s) => el('option', { value: s.id, text: s.name })));
}

async function loadCategories() {
  const { items } = await api('/api/kf/desk/categories').catch(() => ({ items: [] }));
  $('end-category').replaceChildren(el('option', { value: '', text: '问题分类（可选） Category (optional)' }), ...items.map((c) => el('option', { value: c, text: c })));
}

async function signIn() {
  if (!token()) return signedOut('');
  try {
    await loadDesk();
    $('signed-out').hidden = true;
    $('app').hidden = false;
    $('sign-out').hidden = false;
    // Opened from the console's navigation (its token, none of our own): a way back to it.
    $('to-console').hidden = Boolean(localStorage.getItem(TOKEN_KEY)) || !localStorage.getItem(CONSOLE_TOKEN_KEY);
    $('status').textContent = state.me ? `接待人员 ${state.me}` : '只读：此令牌没有员工身份，不能接待。 Read only: no staff on this token.';
    await Promise.all([searchKnowledge(''), loadReview(), loadNumbers(), loadCategories(), loadOwners()]);
  } catch (err) {
    fail(err);
  }
}

$('take').addEventListener('click', () => act('take'));
$('end').addEventListener('click', async () => {
  const category = $('end-category').value;
  if (await act('end', category ? { category } : {})) {
    $('end-category').value = '';
    loadNumbers().catch(fail);
  }
});
$('ticket-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const title = $('ticket-title').value.trim();
  const due = $('ticket-due').value;
  if (!title || !due) return showError('请填写工单标题和截止时间。 Give the ticket a title and a due time.');
  const owner = $('ticket-owner').value;
  if (await act('ticket', { title, dueAt: new Date(due).toISOString(), ...(owner ? { ownerStaffId: owner } : {}) })) {
    $('ticket-title').value = '';
    $('status').textContent = '已转工单，可在手机端「我的工单」跟进。 Ticket created; follow it up under My tickets on /m.';
  }
});
$('transfer').addEventListener('click', () => {
  const to = $('transfer-to').value;
  if (!to) return showError('请选择要转接的同事。 Pick a colleague.');
  return act('transfer', { toUserId: to });
});
$('reply-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('reply-text').value.trim();
  if (!text) return showError('请输入回复内容。 Type a reply first.');
  // Cleared before the send, not after: the conversation re-renders while act() runs, and an agent typing the next
  // reply in that moment would otherwise lose it. A refused send puts the text back.
  $('reply-text').value = '';
  if (!(await act('reply', { text })) && !$('reply-text').value) $('reply-text').value = text;
});
$('numbers-by').addEventListener('change', () => loadNumbers().catch(fail));
$('kb-form').addEventListener('submit', (event) => {
  event.preventDefault();
  searchKnowledge($('kb-q').value.trim()).catch(fail);
});
tokenSignIn({ key: TOKEN_KEY, signIn, signedOut });
setInterval(() => {
  if (!$('app').hidden) loadDesk().catch(fail);
}, REFRESH_MS);
window.addEventListener('resize', () => {
  for (const c of charts.values()) c.resize();
});
signIn();
