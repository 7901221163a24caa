/* The staff phone page (/m): today's tasks and add-friend leads for the signed-in staff member. Plain modules, no build step. */
/* global document, window, localStorage, location, history, navigator, URLSearchParams, setTimeout, clearTimeout */

import { ApiError, createApi, pageMessage } from '/web/shared/api.js';
import { $, el, showError } from '/web/shared/dom.js';
import { loadTickets } from '/web/m/tickets.js';

const TOKEN_KEY = 'siyu.m.token';

/** Task kinds: zh-CN label, English label, a hint, and whether the card carries text to copy. */
const KINDS = {
  // WeCom carries a 1:1 SOP message as a mass-send task, but each customer receives it as a 1:1 message.
  mass_send_confirm: { zh: '发给客户', en: 'To customers', hint: '在企业微信「群发助手」中确认后，以下内容会逐一发给下列客户。', copy: true },
  one_to_one: { zh: '一对一消息', en: '1:1 message', hint: '复制内容，逐一发给下列客户。', copy: true },
  moments: { zh: '朋友圈', en: 'Moments', hint: '在企业微信「客户朋友圈」中发表以下文案和图片，发表后点「完成」。企业微信确认发表后才算已发送。', copy: true },
  group_send: { zh: '客户群群发', en: 'Group send', hint: '在企业微信「群发助手」中确认发送到客户群，发送后点「完成」。企业微信确认发送后才算已发送。', copy: true },
  call: { zh: '电话回访', en: 'Call', hint: '给下列客户打电话回访。', copy: false },
  visit: { zh: '到店拜访', en: 'Visit', hint: '', copy: false },
  custom: { zh: '自定义', en: 'Custom', hint: '', copy: false },
  add_friend: { zh: '添加好友', en: 'Add lead', hint: '添加下列线索为企业微信好友。', copy: false },
};

const ERRORS = {
  network: '网络异常，请检查网络后重试。',
  401: '登录已失效，请重新登录。',
  403: '你的账号不能查看员工任务。',
  404: '任务不存在，或你无权处理这条任务。',
  409: '任务状态已变化，列表已刷新。',
  400: '提交的内容有误，请检查后重试。',
  500: '服务器出错了，请稍后重试。',
};

const state = { me: null, date: '', tasks: [], skipping: null, leads: [] };

const api = createApi({ token: () => localStorage.getItem(TOKEN_KEY), accept: 'application/json', errors: ERRORS, message: pageMessage });

function takeTokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token) {
    localStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
  }
}

/**
 * "中文 English": each part its own unbreakable span (a narrow button moves the English to a second line
 * instead of breaking 「已发申请」 mid-word), the English smaller and marked as English for screen readers.
 */
const bilingual = (zh, en) => [el('span', { class: 'zh', text: zh }), ' ', el('span', { lang: 'en', text: en })];

let statusTimer;
function announce(text) {
  clearTimeout(statusTimer);
  $('status').textContent = text;
  statusTimer = setTimeout(() => ($('status').textContent = ''), 4000);
}

function signedOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  state.me = null;
  $('signed-out').hidden = false;
  $('open-section').hidden = true;
  $('closed-section').hidden = true;
  $('leads-section').hidden = true;
  $('sign-out').hidden = true;
  $('who-name').replaceChildren(...bilingual('今日任务', 'Today'));
  $('who-store').textContent = '';
  showError(message ?? '');
}

function handle(err) {
  if (err instanceof ApiError && err.status === 401) return signedOut(ERRORS[401]);
  showError(err instanceof ApiError ? err.message : ERRORS[500]);
}

function formatTime(date) {
  const tz = state.me?.store.timezone;
  try {
    return new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: tz }).format(new Date(date));
  } catch {
    return '';
  }
}

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based copy
  }
  const area = el('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true', tabindex: '-1' });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function selectContents(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function textBlock(task, label = '内容 Text') {
  const textId = `text-${task.id}`;
  const text = el('p', { class: 'text', id: textId, text: task.text });
  const button = el('button', { type: 'button', class: 'btn copy', 'aria-describedby': textId }, ...bilingual('复制', 'Copy'));
  button.addEventListener('click', async () => {
    const ok = await copyText(task.text);
    if (ok) {
      button.replaceChildren(...bilingual('已复制', 'Copied'));
      button.classList.add('copied');
      announce('已复制到剪贴板 Copied');
      setTimeout(() => {
        button.replaceChildren(...bilingual('复制', 'Copy'));
        button.classList.remove('copied');
      }, 2500);
    } else {
      selectContents(text);
      announce('请长按文字手动复制 Press and hold the text to copy');
    }
  });
  return el('div', { class: 'text-box' }, el('span', { class: 'label', text: label }), text, button);
}

/** Why WeCom's read-back skipped a 群发/朋友圈 task (read-back.ts); anything else is what the staff member typed. */
const SKIP_REASONS = {
  vendor_refused_recipient: '企业微信拒收（群已解散或客户不可达） Refused by WeCom',
  not_published: '一周内未在企业微信发表 Not published within a week',
  no_channel_identity: '没有可发送的客户群 No group to send to',
  no_owned_groups: '您不是任何客户群的群主 You own no customer group',
  no_channel_account: '未配置企业微信账号 No WeCom account',
};
const MEDIA = { image: ['图片', 'Image'], link: ['链接', 'Link'], miniprogram: ['小程序', 'Mini program'], video: ['视频', 'Video'] };

/**
 * The media to post with the text, in order. The page's CSP shows no outside images inline, so each item opens
 * in a new tab (long-press there to save an image) and its address can be copied.
 */
function mediaBlock(task) {
  const media = task.media ?? [];
  if (!media.length) return null;
  const items = media.map((m, i) => {
    const [zh, en] = MEDIA[m.type] ?? ['附件', 'Attachment'];
    const href = m.url ?? m.picUrl ?? '';
    const name = m.title ? `${zh} ${i + 1}：${m.title}` : `${zh} ${i + 1}`;
    const copy = el('button', { type: 'button', class: 'btn copy media-copy' }, ...bilingual('复制地址', 'Copy URL'));
    copy.addEventListener('click', async () => announce((await copyText(href)) ? '已复制地址 Copied' : '请长按链接手动复制 Press and hold the link to copy'));
    return el(
      'li',
      { class: `media-item media-${m.type}` },
      href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: name, title: en }) : el('span', { text: name }),
      m.type === 'miniprogram' && m.page ? el('span', { class: 'muted', text: ` ${m.page}` }) : null,
      href ? copy : null,
    );
  });
  return el('div', { class: 'media-box' }, el('span', { class: 'label', text: `配图 Media（${media.length}）` }), el('ol', { class: 'media' }, ...items));
}

function contactsBlock(task) {
  const { count, items } = task.contacts ?? { count: 0, items: [] };
  if (!count) return null;
  const first = items.slice(0, 3).map((c) => c.name);
  const more = count > first.length ? ` 等 ${count} 位` : '';
  const summary = el('p', { class: 'contacts' }, el('strong', { text: `${count} 位客户` }), first.length ? `：${first.join('、')}${more}` : '');
  const list = el(
    'ul',
    { class: 'people' },
    ...items.map((c) => el('li', {}, el('span', { text: c.name }), c.phone ? el('span', { class: 'muted phone', text: c.phone }) : null)),
  );
  const open = task.kind === 'call' || task.kind === 'visit';
  const details = items.length
    ? el('details', { open }, el('summary', {}, ...bilingual(count > items.length ? `名单（前 ${items.length} 位）` : '名单', 'List')), list)
    : null;
  return el('div', { class: 'contacts-box' }, summary, details);
}

function card(task) {
  const kind = KINDS[task.kind] ?? KINDS.custom;
  const headingId = `title-${task.id}`;
  const isOpen = task.status === 'open';
  const due = formatTime(task.dueAt);
  const result = isOpen
    ? null
    : el(
        'p',
        { class: `result ${task.status}` },
        task.status === 'done' ? `✓ 已完成 Done${task.doneAt ? ` · ${formatTime(task.doneAt)}` : ''}` : `已跳过 Skipped：${SKIP_REASONS[task.skipReason] ?? task.skipReason ?? ''}`,
      );
  const actions = isOpen
    ? el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'btn primary', onclick: () => complete(task) }, ...bilingual('完成', 'Done')),
        el('button', { type: 'button', class: 'btn', onclick: () => openSkip(task) }, ...bilingual('跳过', 'Skip')),
      )
    : null;
  return el(
    'li',
    { class: `card kind-${task.kind}`, 'data-task-id': task.id, 'data-status': task.status },
    el(
      'article',
      { 'aria-labelledby': headingId },
      el('div', { class: 'card-head' }, el('span', { class: 'badge' }, ...bilingual(kind.zh, kind.en)), due ? el('span', { class: 'due muted', text: `${due} 前` }) : null),
      el('h3', { id: headingId, text: task.title }),
      isOpen && kind.hint ? el('p', { class: 'hint muted', text: kind.hint }) : null,
      task.text ? (kind.copy ? textBlock(task) : el('p', { class: 'note', text: task.text })) : null,
      mediaBlock(task),
      contactsBlock(task),
      result,
      actions,
    ),
  );
}

function render() {
  const open = state.tasks.filter((t) => t.status === 'open');
  const done = state.tasks.filter((t) => t.status === 'done');
  const skipped = state.tasks.filter((t) => t.status === 'skipped');
  $('open-section').hidden = false;
  $('open-list').replaceChildren(...open.map(card));
  $('open-count').textContent = `(${open.length})`;
  $('empty').hidden = open.length > 0;
  $('empty').textContent = state.tasks.length ? '今天的任务都处理完了。' : '这一天没有任务。';
  $('empty').append(' ', el('span', { lang: 'en', text: state.tasks.length ? 'All done for today.' : 'No tasks for this day.' }));
  // Handled tasks wait below, collapsed, so the open ones stay on the first screen.
  $('closed-section').hidden = done.length + skipped.length === 0;
  $('closed-count').textContent = `(${done.length + skipped.length})`;
  $('done-group').hidden = done.length === 0;
  $('done-list').replaceChildren(...done.map(card));
  $('done-count').textContent = `(${done.length})`;
  $('skipped-group').hidden = skipped.length === 0;
  $('skipped-list').replaceChildren(...skipped.map(card));
  $('skipped-count').textContent = `(${skipped.length})`;
}

async function loadTasks() {
  showError('');
  const res = await api(`/api/me/tasks?date=${encodeURIComponent(state.date)}`);
  state.tasks = res.items;
  render();
}

function replaceTask(updated) {
  state.tasks = state.tasks.map((t) => (t.id === updated.id ? { ...t, ...updated, contacts: t.contacts } : t));
  render();
}

async function complete(task) {
  try {
    replaceTask(await api(`/api/me/tasks/${task.id}/done`, { method: 'POST' }));
    announce(`已完成：${task.title}`);
  } catch (err) {
    handle(err);
    if (err instanceof ApiError && (err.status === 409 || err.status === 404)) await loadTasks().catch(handle);
  }
}

function openSkip(task) {
  state.skipping = task;
  const form = $('skip-form');
  form.reset();
  $('skip-error').hidden = true;
  $('skip-task').textContent = task.title;
  const dialog = $('skip-dialog');
  if (typeof dialog.showModal === 'function') dialog.showModal();
  else dialog.setAttribute('open', '');
}

function closeSkip() {
  const dialog = $('skip-dialog');
  if (typeof dialog.close === 'function' && dialog.open) dialog.close();
  else dialog.removeAttribute('open');
  state.skipping = null;
}

async function submitSkip(event) {
  event.preventDefault();
  const task = state.skipping;
  if (!task) return closeSkip();
  const form = $('skip-form');
  const choice = form.elements.reason.value;
  const note = form.elements.note.value.trim();
  const fail = (msg) => {
    $('skip-error').textContent = msg;
    $('skip-error').hidden = false;
  };
  if (!choice) return fail('请选择跳过原因。Choose a reason.');
  if (choice === '其他' && !note) return fail('选择“其他”时请填写说明。Please add a note.');
  const reason = (note ? (choice === '其他' ? note : `${choice}：${note}`) : choice).slice(0, 200);
  try {
    const updated = await api(`/api/me/tasks/${task.id}/skip`, { method: 'POST', body: { reason } });
    closeSkip();
    replaceTask(updated);
    announce(`已跳过：${task.title}`);
  } catch (err) {
    closeSkip();
    handle(err);
    if (err instanceof ApiError && (err.status === 409 || err.status === 404)) await loadTasks().catch(handle);
  }
}

/** Lead actions: the status each records, zh-CN and English labels. */
const LEAD_ACTIONS = [
  ['requested', '已发申请', 'Requested'],
  ['not_found', '查无此人', 'Not found'],
  ['refused', '已拒绝', 'Refused'],
  ['wrong_number', '空号/错号', 'Wrong number'],
];
const LEAD_STATUS = { assigned: '待添加 To add', requested: '已申请，等待通过 Requested', accepted: '✓ 已成为好友 Friend', not_found: '查无此人 Not found', refused: '已拒绝 Refused', wrong_number: '空号/错号 Wrong number', exhausted: '已回收 Recycled', pool: '已回收 Recycled' };

function leadContext(lead) {
  const facts = [lead.city, lead.storeHint, lead.source ? `来源 ${lead.source}` : '', ...lead.tags.map((t) => `#${t}`), ...Object.entries(lead.attributes ?? {}).map(([k, v]) => `${k}：${v}`)].filter(Boolean);
  return facts.length ? el('p', { class: 'muted lead-context', text: facts.join(' · ') }) : null;
}

function leadCard(lead) {
  const headingId = `lead-${lead.id}`;
  const open = lead.status === 'assigned' || lead.status === 'requested';
  const phoneButton = el('button', { type: 'button', class: 'btn copy phone-copy', 'aria-describedby': headingId }, ...bilingual('复制号码', 'Copy number'));
  phoneButton.addEventListener('click', async () => {
    try {
      const { phone } = await api(`/api/me/leads/${lead.id}/phone`);
      if (await copyText(phone)) {
        phoneButton.replaceChildren(...bilingual('已复制', 'Copied'));
        announce('号码已复制 Number copied');
        setTimeout(() => phoneButton.replaceChildren(...bilingual('复制号码', 'Copy number')), 2500);
      } else announce(`号码 ${phone}`);
    } catch (err) {
      handle(err);
    }
  });
  const greeting = lead.greetingText ? textBlock({ id: `greeting-${lead.id}`, text: lead.greetingText }, '招呼语 Greeting') : null;
  return el(
    'li',
    { class: 'card kind-lead', 'data-lead-id': lead.id, 'data-status': lead.status },
    el(
      'article',
      { 'aria-labelledby': headingId },
      el('div', { class: 'card-head' }, el('span', { class: 'badge' }, ...bilingual('添加好友', 'Add friend')), el('span', { class: 'muted', text: lead.campaign.name })),
      el('h3', { id: headingId }, el('span', { text: lead.name || '未留名 No name' }), ' ', el('span', { class: 'muted phone', text: lead.phoneMasked })),
      leadContext(lead),
      open ? phoneButton : null,
      open ? greeting : null,
      el('p', { class: `result lead-status ${lead.status}`, text: LEAD_STATUS[lead.status] ?? lead.status }),
      open ? el('div', { class: 'actions lead-actions' }, ...LEAD_ACTIONS.filter(([a]) => a !== lead.status).map(([action, zh, en]) => el('button', { type: 'button', class: action === 'requested' ? 'btn primary' : 'btn', 'data-action': action, onclick: () => actOnLead(lead, action, zh) }, ...bilingual(zh, en)))) : null,
    ),
  );
}

/** My 「联系我」 QR per campaign: customers who scan it instead are attributed to the campaign and to me. */
function contactWayButtons() {
  const campaigns = [...new Map(state.leads.map((l) => [l.campaign.id, l.campaign])).values()].filter((c) => c.status === 'running');
  return campaigns.map((c) => {
    const box = el('p', { class: 'contact-way', 'data-campaign': c.id });
    const button = el('button', { type: 'button', class: 'btn small' }, ...bilingual(`「${c.name}」我的二维码`, 'My QR'));
    button.addEventListener('click', async () => {
      try {
        const way = await api(`/api/me/campaigns/${c.id}/contact-way`);
        if (!way.qrImage) return announce('二维码暂不可用，请稍后重试 The QR is not available yet');
        box.replaceChildren(
          el(
            'figure',
            { class: 'qr' },
            el('img', { src: way.qrImage, alt: `「${c.name}」我的二维码 My QR`, width: 240, height: 240, class: 'qr-image' }),
            el('figcaption', { class: 'muted' }, ...bilingual('长按图片保存到相册，或直接给客户扫码。', 'Press and hold to save it, or let the customer scan it.')),
          ),
        );
      } catch (err) {
        handle(err);
      }
    });
    box.append(button);
    return box;
  });
}

function renderLeads() {
  const open = state.leads.filter((l) => l.status === 'assigned');
  $('leads-section').hidden = state.leads.length === 0;
  $('leads-count').textContent = `(${open.length})`;
  $('leads-ways').replaceChildren(...contactWayButtons());
  $('leads-list').replaceChildren(...state.leads.map(leadCard));
}

async function loadLeads() {
  try {
    state.leads = (await api('/api/me/leads')).items;
  } catch (err) {
    // The task list works without leads; a sign-in problem is reported by the tasks call.
    if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) handle(err);
    state.leads = [];
  }
  renderLeads();
}

async function actOnLead(lead, action, zh) {
  try {
    const updated = await api(`/api/me/leads/${lead.id}/actions`, { method: 'POST', body: { action } });
    state.leads = state.leads.map((l) => (l.id === updated.id ? updated : l));
    renderLeads();
    announce(`已记录：${zh}`);
  } catch (err) {
    handle(err);
    if (err instanceof ApiError && (err.status === 409 || err.status === 404)) await loadLeads();
  }
}

async function start() {
  takeTokenFromHash();
  $('skip-form').addEventListener('submit', submitSkip);
  // On `input`, not `change`: a note's `change` fires on blur, i.e. while the confirm button is being pressed, and
  // the message vanishing then moves the button from under the finger, so the tap was lost.
  $('skip-form').addEventListener('input', () => ($('skip-error').hidden = true));
  $('skip-cancel').addEventListener('click', closeSkip);
  $('sign-out').addEventListener('click', () => signedOut(''));
  $('date').addEventListener('change', () => {
    if (!$('date').value) return;
    state.date = $('date').value;
    loadTasks().catch(handle);
  });
  $('today').addEventListener('click', () => {
    if (!state.me) return;
    state.date = state.me.today;
    $('date').value = state.date;
    loadTasks().catch(handle);
  });
  if (!localStorage.getItem(TOKEN_KEY)) return signedOut('');
  try {
    state.me = await api('/api/me');
    // HQ and marketer tokens are answered too (the console asks /api/me), without a staff member: not for this page.
    if (!state.me.staff) throw new ApiError(403, ERRORS[403]);
    const { staff, store } = state.me;
    $('who-name').textContent = staff.name;
    $('who-store').textContent = `${store.name}${staff.role === 'store_manager' ? ' · 店长' : ''}`;
    $('sign-out').hidden = false;
    $('signed-out').hidden = true;
    state.date = state.me.today;
    $('date').value = state.date;
    await loadTasks();
    await loadTickets(api, handle);
    await loadLeads();
  } catch (err) {
    handle(err);
  }
}

start();
