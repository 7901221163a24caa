/*
 * The WeCom chat sidebar (/sidebar): the customer of the open chat, tags, notes and quick replies sent into the
 * chat. Talks to WeCom through the JS-SDK global `ww` (/vendor/wecom-jssdk.js, @wecom/jssdk) registered with
 * server-computed config / agentConfig signatures; one API request loads everything shown.
 */
/* global document, window, localStorage, location, history, URLSearchParams, performance, setTimeout, clearTimeout */

import { ApiError, createApi, pageMessage } from '/web/shared/api.js';
import { $, el, showError } from '/web/shared/dom.js';

const TOKEN_KEY = 'siyu.m.token';
const JS_API_LIST = ['getContext', 'getCurExternalContact', 'sendChatMessage'];
const LIFECYCLE = { lead: '线索 Lead', friend: '好友 Friend', customer: '客户 Customer', vip: 'VIP', lost: '流失 Lost' };
const TOUCH_STATUS = { scheduled: '待发送', held: '已暂停', sending: '发送中', sent: '已发送', failed: '失败', skipped: '已跳过' };
TOUCH_STATUS.awaiting = '待员工发布';
const ERRORS = {
  network: '网络异常，请检查网络后重试。',
  401: '登录已失效，请重新登录。',
  404: '没有找到这位客户，或客户不属于你的门店。',
  503: '企业微信尚未配置，暂时无法使用工具栏。',
  500: '服务器出错了，请稍后重试。',
  400: '提交的内容有误，请检查后重试。',
};

const state = { profile: null, scene: null, query: '', knowledge: [] };

const api = createApi({ token: () => localStorage.getItem(TOKEN_KEY), accept: 'application/json', errors: ERRORS, message: pageMessage });

/** The JS-SDK, read at call time so a page opened outside WeCom fails with a message, not a crash. */
function sdk() {
  if (!window.ww) throw new Error('企业微信 JS-SDK 未加载 The WeCom JS-SDK did not load.');
  return window.ww;
}

function takeTokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token) localStorage.setItem(TOKEN_KEY, token);
  if (params.get('error')) showError(params.get('error') === 'signin' ? '登录凭证无效或已过期，请重新打开。' : '暂时无法登录，请稍后再试。');
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
}

let statusTimer;
function announce(text, sticky = false) {
  clearTimeout(statusTimer);
  $('status').textContent = text;
  if (!sticky) statusTimer = setTimeout(() => ($('status').textContent = ''), 4000);
}

function handle(err) {
  if (err instanceof ApiError && err.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    $('signed-out').hidden = false;
    $('profile').hidden = true;
  }
  announce('');
  showError(err.message || ERRORS[500]);
}

const formatTime = (at) => {
  if (!at) return '';
  try {
    return new Intl.DateTimeFormat('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(at));
  } catch {
    return '';
  }
};

/**
 * Registers the JS-SDK. The SDK asks for signatures with the URL WeCom will check (on iOS the URL the page was
 * first opened with), so each factory signs the URL it is given; this page's own URL is signed up front, which is
 * the one request in the usual case.
 */
async function registerSdk() {
  const signatures = new Map();
  const signed = (url) => {
    const key = String(url).split('#')[0];
    if (!signatures.has(key)) signatures.set(key, api(`/api/sidebar/signature?url=${encodeURIComponent(key)}`));
    return signatures.get(key);
  };
  const sig = await signed(location.href);
  sdk().register({
    corpId: sig.corpId,
    agentId: sig.agentId ?? undefined,
    jsApiList: JS_API_LIST,
    getConfigSignature: async (url) => (await signed(url)).config,
    getAgentConfigSignature: async (url) => (await signed(url)).agentConfig,
  });
}

/**
 * Outside WeCom the JS-SDK never answers (it waits for the client's bridge), so a page opened in an ordinary
 * browser would spin forever; after this long it says where the sidebar has to be opened instead.
 */
const SDK_TIMEOUT_MS = 5000;
const OUTSIDE_WECOM = Symbol('outside WeCom');

function outsideWecom() {
  announce('');
  $('outside-wecom').hidden = false;
}

/** The customer of the open 1:1 chat; null when the page was opened elsewhere (a group chat, the workbench). */
async function currentCustomer() {
  const context = await sdk().getContext();
  if (context.entry !== 'single_chat_tools' && context.entry !== 'contact_profile') return null;
  const contact = await sdk().getCurExternalContact();
  return contact.userId || null;
}

function renderHeader(p) {
  $('name').textContent = p.contact.name || '未命名客户';
  const bits = [p.store?.name, p.contact.phone, p.follows.find((f) => f.mine)?.remark].filter(Boolean);
  $('summary').textContent = bits.join(' · ');
  $('lifecycle').textContent = LIFECYCLE[p.contact.lifecycle] ?? p.contact.lifecycle;
  $('lifecycle').hidden = false;
}

function renderTags(p) {
  $('tags').replaceChildren(
    ...p.tags.map((t) =>
      el('li', { class: 'chip' }, t.name, el('button', { type: 'button', 'aria-label': `移除标签 ${t.name} Remove`, text: '×', onclick: () => changeTags([], [t.tagId]) })),
    ),
  );
  if (!p.tags.length) $('tags').append(el('li', { class: 'muted', text: '还没有标签 No tags yet' }));
  const has = new Set(p.tags.map((t) => t.tagId));
  $('tag-library').replaceChildren(
    ...p.tagLibrary
      .map((g) => ({ ...g, tags: g.tags.filter((t) => !has.has(t.tagId)) }))
      .filter((g) => g.tags.length)
      .map((g) =>
        el(
          'div',
          { class: 'tag-group' },
          el('p', { text: g.name }),
          ...g.tags.map((t) => el('button', { type: 'button', 'data-tag-id': t.tagId, text: t.name, onclick: () => changeTags([t.tagId], []) })),
        ),
      ),
  );
}

function renderReplies() {
  const scenes = state.profile.quickReplies;
  $('scenes').replaceChildren(
    ...[{ scene: null }, ...scenes].map((s) =>
      el('button', { type: 'button', role: 'tab', 'aria-selected': String(state.scene === s.scene), text: s.scene ?? '全部 All', onclick: () => ((state.scene = s.scene), renderReplies()) }),
    ),
  );
  const q = state.query.toLowerCase();
  const items = scenes
    .filter((s) => state.scene === null || s.scene === state.scene)
    .flatMap((s) => s.items.map((i) => ({ ...i, scene: s.scene })))
    .filter((i) => !q || i.name.toLowerCase().includes(q) || i.text.toLowerCase().includes(q) || i.scene.toLowerCase().includes(q));
  $('replies').replaceChildren(
    ...items.map((i) =>
      el(
        'li',
        { 'data-template-id': i.templateId },
        el('p', { class: 'title', text: `${i.name} · ${i.scene}` }),
        el('p', { class: 'text', text: i.text }),
        i.attachments ? el('p', { class: 'muted', text: `含 ${i.attachments} 个附件，工具栏只发送文字 Text only` }) : null,
        el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn primary', text: '发送 Send', onclick: (e) => sendReply(i, e.currentTarget) })),
      ),
    ),
  );
  $('replies-empty').hidden = items.length > 0;
}

/**
 * The 微信客服 knowledge base answers the same search (话术 and knowledge in one place): the entries whose question,
 * paraphrases or answer match, each sent into the chat as its answer text. Only the latest search is shown.
 */
let knowledgeAsked = 0;
async function searchKnowledge(q) {
  const asked = ++knowledgeAsked;
  const { items } = q ? await api('/api/kf/knowledge', { params: { search: q, enabled: 'true', pageSize: 5 } }).catch(() => ({ items: [] })) : { items: [] };
  if (asked !== knowledgeAsked) return;
  state.knowledge = items;
  $('kb-answers').replaceChildren(
    ...items.map((k) =>
      el(
        'li',
        { 'data-entry-id': k.id },
        el('p', { class: 'title', text: `${k.question}${k.category ? ` · ${k.category}` : ''}` }),
        el('p', { class: 'text', text: k.answer.text }),
        el('div', { class: 'actions' }, el('button', { type: 'button', class: 'btn primary', text: '发送 Send', onclick: (e) => sendReply({ name: k.question, text: k.answer.text }, e.currentTarget) })),
      ),
    ),
  );
  $('kb-heading').hidden = items.length === 0;
}

function renderNotes(p) {
  $('notes').replaceChildren(...p.notes.map((n) => el('li', {}, el('time', { datetime: n.createdAt, text: formatTime(n.createdAt) }), n.text)));
}

function renderAbout(p) {
  const facts = [
    ['渠道 Channels', p.channels.map((c) => `${c.label}：${c.detail}`).join('；') || '—'],
    ['门店 Store', p.store ? `${p.store.name}（${p.store.city}）` : '—'],
    ['跟进 Staff', p.follows.map((f) => f.staffName).join('、') || '—'],
    ['客户群 Groups', p.groups.map((g) => g.name).join('、') || '—'],
  ];
  $('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  const list = (id, rows, empty) => $(id).replaceChildren(...(rows.length ? rows : [el('li', { class: 'muted', text: empty })]));
  list('sops', p.sops.map((s) => el('li', {}, `${s.name}（${s.status === 'paused' ? '已暂停' : '进行中'}）`, s.nextAt ? el('time', { datetime: s.nextAt, text: ` 下一步 ${formatTime(s.nextAt)}` }) : null)), '不在任何 SOP 中 None');
  list('touches', p.touches.map((t) => el('li', {}, el('time', { datetime: t.at, text: formatTime(t.at) }), `${t.sopName} · ${TOUCH_STATUS[t.status] ?? t.status}${t.reason ? `（${t.reason}）` : ''}`)), '还没有触达 None yet');
  list('experiments', p.experiments.map((x) => el('li', {}, `${x.experimentId}：${x.arm === 'holdout' ? '对照留存 holdout' : x.arm}`)), '未参与实验 None');
}

function render() {
  const p = state.profile;
  renderHeader(p);
  renderTags(p);
  renderReplies();
  renderNotes(p);
  renderAbout(p);
  $('profile').hidden = false;
}

async function loadProfile(externalUserId) {
  state.profile = await api(`/api/sidebar/contact?externalUserId=${encodeURIComponent(externalUserId)}`);
  render();
}

async function changeTags(add, remove) {
  try {
    const r = await api('/api/sidebar/contact/tags', { method: 'POST', body: { externalUserId: state.profile.contact.externalUserId, add, remove } });
    const byId = new Map(state.profile.tagLibrary.flatMap((g) => g.tags.map((t) => [t.tagId, { tagId: t.tagId, name: t.name, group: g.name }])));
    state.profile.tags = r.tagIds.map((id) => byId.get(id) ?? { tagId: id, name: id, group: null });
    renderTags(state.profile);
    announce(r.mirror.status === 'failed' ? `已保存，但同步到企业微信失败（${r.mirror.errcode ?? '网络'}）Saved; WeCom sync failed` : '标签已更新 Tags updated');
  } catch (err) {
    handle(err);
  }
}

async function sendReply(item, button) {
  button.disabled = true;
  try {
    await sdk().sendChatMessage({ msgtype: 'text', text: { content: item.text } });
    announce(`已发送「${item.name}」 Sent`);
  } catch (err) {
    showError(`发送失败：${err?.errMsg ?? err?.message ?? ''} Could not send`);
  } finally {
    button.disabled = false;
  }
}

async function saveNote(event) {
  event.preventDefault();
  const text = $('note-text').value.trim();
  if (!text) return;
  try {
    const note = await api('/api/sidebar/contact/notes', { method: 'POST', body: { externalUserId: state.profile.contact.externalUserId, text } });
    state.profile.notes.unshift(note);
    $('note-text').value = '';
    renderNotes(state.profile);
    announce('备注已保存 Note saved');
  } catch (err) {
    handle(err);
  }
}

async function start() {
  takeTokenFromHash();
  $('note-form').addEventListener('submit', saveNote);
  let searchTimer;
  $('reply-search').addEventListener('input', (e) => {
    state.query = e.target.value.trim();
    renderReplies();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void searchKnowledge(state.query), 250);
  });
  if (!localStorage.getItem(TOKEN_KEY)) {
    announce('');
    $('signed-out').hidden = false;
    return;
  }
  try {
    if (!window.ww) return outsideWecom();
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(OUTSIDE_WECOM), SDK_TIMEOUT_MS)));
    const externalUserId = await Promise.race([registerSdk().then(currentCustomer), timeout]).finally(() => clearTimeout(timer));
    if (externalUserId === OUTSIDE_WECOM) return outsideWecom();
    if (!externalUserId) {
      announce('');
      showError('请在与客户的单聊中打开工具栏。Open the toolbar from a 1:1 chat with a customer.');
      return;
    }
    await loadProfile(externalUserId);
    announce('');
    document.body.dataset.readyMs = String(Math.round(performance.now()));
  } catch (err) {
    handle(err);
  }
}

start();
