/* The 设置 page (/hq/settings): channel accounts (list, connect, check credentials, the callback URL to paste into
 * the vendor's console; secrets are write-only) and the content rules (sensitive words, link-domain allow-list).
 * HQ admins change them; marketers read the content rules. In the console shell (shared/console.js). */
/* global location, navigator */

import { ApiError, detailedMessage } from '/web/shared/api.js';
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, announce, bi, el, showError, showProblems as problems } from '/web/shared/dom.js';
import { vendorErrorText } from '/web/shared/vendor-errcodes.js';

const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '令牌无效或已过期，请重新登录。Token invalid or expired.',
  403: '此令牌没有这项权限。This token lacks the permission.',
  404: '找不到该账号。Account not found.',
  500: '服务器出错了，请稍后重试。Server error.',
};
const KINDS = { wecom: ['企业微信', 'WeCom'], official_account: ['公众号', 'Official account'], wechaty: ['个微机器人', 'Wechaty bot'] };
/** The config fields each kind asks for (the adapter's schema checks them on save); `secret` ones are never shown back. */
const FIELDS = {
  wecom: [
    { key: 'corpId', label: ['企业 ID', 'Corp ID'], required: true },
    { key: 'secret', label: ['应用 Secret', 'App secret'], required: true, secret: true },
    { key: 'token', label: ['回调 Token', 'Callback token'], required: true, secret: true },
    { key: 'encodingAESKey', label: ['回调 EncodingAESKey', 'EncodingAESKey (43 chars)'], required: true, secret: true },
    { key: 'agentId', label: ['应用 AgentId', 'Agent id'] },
    { key: 'apiBase', label: ['接口地址（选填）', 'API base (optional)'] },
  ],
  official_account: [
    { key: 'appId', label: ['AppID', 'App id'], required: true },
    { key: 'appSecret', label: ['AppSecret', 'App secret'], required: true, secret: true },
    { key: 'token', label: ['令牌 Token', 'Server token'], required: true, secret: true },
    { key: 'encodingAESKey', label: ['EncodingAESKey（安全模式）', 'EncodingAESKey (safe mode)'], secret: true },
    { key: 'apiBase', label: ['接口地址（选填）', 'API base (optional)'] },
  ],
  wechaty: [
    { key: 'botId', label: ['机器人 ID', 'Bot id'], required: true },
    { key: 'puppet', label: ['Puppet 包名', 'Puppet package'], required: true },
    { key: 'puppetToken', label: ['Puppet Token', 'Puppet token'], secret: true },
  ],
};

const api = consoleApi({ errors: ERRORS, message: detailedMessage((d) => `${d.path}: ${d.message}`) });
const state = { admin: false, accounts: [], settings: null };
let shell = null;

function handle(err) {
  if (err instanceof ApiError && err.status === 401) return shell?.signOut(ERRORS[401]);
  showError(err instanceof ApiError ? err.message : `${ERRORS[500]} ${err?.message ?? ''}`);
}
const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/* ---------- 渠道账号 Channel accounts ---------- */

function renderAccounts() {
  $('account-count').textContent = `(${state.accounts.length})`;
  if (!state.accounts.length) {
    $('account-list').replaceChildren(el('li', { class: 'empty', text: '还没有渠道账号：在下方「接入新账号」填写企业微信的企业 ID 与应用 Secret。No channel account yet: connect one below.' }));
    $('account-add').open = true;
    return;
  }
  $('account-list').replaceChildren(...state.accounts.map(accountItem));
}

function accountItem(a) {
  const result = el('span', { class: 'check-result', role: 'status' });
  const callback = a.callbackPath ? `${location.origin}${a.callbackPath}` : null;
  const urlInput = callback ? el('input', { readonly: true, value: callback, 'aria-label': `${a.name} 回调地址 Callback URL` }) : null;
  return el('li', { 'data-account-id': a.id },
    el('div', { class: 'acc-head' },
      el('strong', { text: a.name }),
      el('span', { class: 'badge', text: (KINDS[a.kind] ?? [a.kind, ''])[0] }),
      a.isDefault ? el('span', { class: 'badge enabled', text: '默认 Default' }) : null,
      el('button', { type: 'button', class: 'btn small', onclick: () => check(a, result).catch(handle) }, ...bi(['检查凭证', 'Check credentials'])),
      result,
    ),
    el('dl', { class: 'acc-config' }, Object.entries(a.config).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: typeof v === 'string' ? v : JSON.stringify(v) })])),
    callback
      ? el('div', { class: 'callback' },
          el('span', { class: 'muted' }, ...bi(['回调地址（填入后台的「接收消息」URL）', 'Callback URL to paste into the vendor console'])),
          urlInput,
          el('button', { type: 'button', class: 'btn small', onclick: () => copy(urlInput) }, ...bi(['复制', 'Copy'])),
        )
      : el('p', { class: 'muted', text: '此类账号主动连接，无需回调地址。This kind connects out: no callback URL.' }),
  );
}

async function check(account, out) {
  out.textContent = '检查中… Checking…';
  out.className = 'check-result';
  const r = await api(`/api/channel-accounts/${account.id}/check`, { method: 'POST' });
  out.className = `check-result ${r.ok ? 'good' : 'bad'}`;
  out.textContent = r.ok ? '凭证有效 Credentials work' : `凭证无效 Refused：${r.errcode !== undefined && r.errcode !== null ? vendorErrorText(r.errcode) : (r.message ?? '')}`;
}

function renderFields() {
  const kind = $('acc-kind').value;
  $('acc-fields').replaceChildren(
    ...FIELDS[kind].map((f) =>
      el('div', { class: 'field' },
        el('label', { for: `acc-${f.key}` }, ...bi(f.label)),
        el('input', { id: `acc-${f.key}`, 'data-key': f.key, type: f.secret ? 'password' : 'text', autocomplete: 'off', spellcheck: 'false', required: !!f.required }),
      ),
    ),
  );
}

async function addAccount(event) {
  event.preventDefault();
  const kind = $('acc-kind').value;
  const config = {};
  for (const input of $('acc-fields').querySelectorAll('input')) if (input.value.trim()) config[input.dataset.key] = input.value.trim();
  try {
    const saved = await api('/api/channel-accounts', { method: 'POST', body: { kind, name: $('acc-name').value.trim(), config } });
    // The secrets leave the page at once: they are never shown again.
    for (const input of $('acc-fields').querySelectorAll('input')) input.value = '';
    $('acc-name').value = '';
    $('account-problems').hidden = true;
    $('account-add').open = false;
    announce(`已接入「${saved.name}」 Account connected`);
    await loadAccounts();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return handle(err);
    problems($('account-problems'), err);
  }
}

async function loadAccounts() {
  state.accounts = (await api('/api/channel-accounts')).items;
  renderAccounts();
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

/* ---------- 内容规则 Content rules ---------- */

function renderSettings() {
  const s = state.settings;
  $('words').value = s.sensitiveWords.join('\n');
  $('domains').value = s.allowedLinkDomains.join('\n');
  $('words-count').textContent = `(${s.sensitiveWords.length})`;
  $('domains-count').textContent = `(${s.allowedLinkDomains.length})`;
  $('content-source').textContent = s.source === 'default' ? '使用默认规则 Defaults' : `更新于 ${new Date(s.updatedAt).toLocaleString('zh-CN', { hour12: false })}${s.updatedBy ? ` · ${s.updatedBy}` : ''}`;
}

async function saveSettings(event) {
  event.preventDefault();
  try {
    state.settings = await api('/api/content/settings', { method: 'PUT', body: { sensitiveWords: lines($('words').value), allowedLinkDomains: lines($('domains').value) } });
    $('content-problems').hidden = true;
    renderSettings();
    announce('规则已保存 Rules saved');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return handle(err);
    problems($('content-problems'), err);
  }
}

/* ---------- start ---------- */

async function start() {
  shell = await mountConsole({ active: 'settings', title: ['设置', 'Settings'] });
  state.admin = shell.me.role === 'hq_admin';
  $('corp-name').textContent = shell.me.corp?.name ?? '';
  $('acc-kind').addEventListener('change', renderFields);
  $('account-form').addEventListener('submit', (e) => addAccount(e).catch(handle));
  $('content-form').addEventListener('submit', (e) => saveSettings(e).catch(handle));
  renderFields();
  state.settings = await api('/api/content/settings');
  renderSettings();
  if (state.admin) {
    await loadAccounts();
    $('accounts-card').hidden = false;
  } else {
    // Marketers read the rules; HQ admins change them and manage the accounts.
    $('words').readOnly = true;
    $('domains').readOnly = true;
    $('content-save').hidden = true;
    $('content-source').textContent += ' · 只读（总部管理员可修改）Read-only';
  }
  $('loading').hidden = true;
  $('content-card').hidden = false;
}

start().catch((err) => {
  $('loading').hidden = true;
  handle(err);
});
