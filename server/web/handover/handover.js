/* The handover page (/hq/handover): start a 在职 / 离职继承 and read its report. In the console shell: HQ admins
 * for every store, store managers for their own staff. `?from=<staffId>&kind=resigned` prefills the form (the
 * 门店与员工 page links here when a member is marked resigned). */
/* global document, location, URLSearchParams */

import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, el } from '/web/shared/dom.js';
import { vendorErrorText } from '/web/shared/vendor-errcodes.js';

const STATUS = { moved: '已接替 Moved', waiting: '等待接替 Waiting', failed: '失败 Failed' };
const REASONS = {
  customer_refused: '客户拒绝 Refused by the customer',
  customer_limit_exceed: '接替员工客户已达上限 Takeover member is full',
  transfer_limit_90d: '90 天内已转接 2 次 Moved twice in 90 days',
  no_record: '企业微信无接替记录 No record in WeCom',
  vendor_error: '企业微信拒绝 WeCom refused',
  not_supported: '账号不支持 Not supported',
};
const ERRORS = { 401: '登录已失效，请重新登录。Signed out.', 403: '你的账号不能发起客户继承。', 404: '员工或记录不存在，或不属于你的门店。', 409: '员工状态不符：在职员工用在职继承，已离职员工用离职继承。', 503: '企业微信尚未配置。' };

const state = { staff: [], current: null };

const api = consoleApi({ errors: ERRORS, message: (status, error, errors) => errors[status] ?? error?.message ?? '请求失败 Request failed' });

let shell = null;

function fail(err) {
  if (err.status === 401) return shell?.signOut(err.message);
  $('error').textContent = err.message;
  $('error').hidden = false;
}

const staffName = (id) => state.staff.find((s) => s.id === id)?.name ?? id;

function renderStaff() {
  const kind = document.querySelector('input[name="kind"]:checked').value;
  const from = state.staff.filter((s) => (kind === 'resigned' ? s.status === 'resigned' : s.status === 'active'));
  $('from').replaceChildren(...from.map((s) => el('option', { value: s.id, text: `${s.name}（${s.userId}）` })));
  $('to').replaceChildren(...state.staff.filter((s) => s.status === 'active').map((s) => el('option', { value: s.id, text: `${s.name}（${s.userId}）` })));
  $('message').disabled = kind !== 'on_job';
}

function renderReport(r) {
  state.current = r;
  const reasons = Object.entries(r.counts.byReason).map(([k, n]) => `${REASONS[k] ?? k} ${n}`).join('，');
  $('report-summary').textContent = `${r.kind === 'on_job' ? '在职继承' : '离职继承'} · ${r.from.name}：共 ${r.counts.total} 位客户，已接替 ${r.counts.moved}，等待 ${r.counts.waiting}，失败 ${r.counts.failed}${reasons ? `（${reasons}）` : ''}`;
  $('customers').replaceChildren(
    ...r.customers.map((c) =>
      el('tr', {}, el('td', { text: c.name || c.externalUserId }), el('td', { text: c.to.name ?? c.to.staffId }), el('td', { class: `st-${c.status}`, text: STATUS[c.status] ?? c.status }), el('td', { text: c.reason === 'vendor_error' && c.errcode !== null && c.errcode !== undefined ? vendorErrorText(c.errcode) : c.reason ? REASONS[c.reason] ?? c.reason : c.moved ? `任务 ${c.moved.tasks}，SOP ${c.moved.enrollments}，待发触达 ${c.moved.touches}` : '' })),
    ),
  );
  $('report-groups').replaceChildren(...(r.groups.length ? r.groups.map((g) => el('li', { class: g.status === 'moved' ? 'st-moved' : 'st-failed', text: `${g.name || g.chatId}：${g.status === 'moved' ? '已转交 Moved' : `失败 Failed ${g.errcode !== null && g.errcode !== undefined ? vendorErrorText(g.errcode) : g.reason ?? ''}`}` })) : [el('li', { class: 'muted', text: '无 None' })]));
  $('poll').hidden = r.status !== 'running';
  $('report').hidden = false;
}

async function loadJobs() {
  const { items } = await api('/api/handovers');
  $('jobs').replaceChildren(
    ...(items.length
      ? items.map((j) => el('li', {}, el('button', { type: 'button', text: `${new Date(j.createdAt).toLocaleString('zh-CN')} · ${staffName(j.fromStaffId)} · ${j.kind === 'on_job' ? '在职' : '离职'} · ${j.status === 'done' ? '已完成' : '进行中'}`, onclick: () => api(`/api/handovers/${j.id}`).then(renderReport, fail) })))
      : [el('li', { class: 'muted', text: '还没有继承记录 None yet' })]),
  );
}

async function submit(event) {
  event.preventDefault();
  $('error').hidden = true;
  const kind = document.querySelector('input[name="kind"]:checked').value;
  const body = { kind, fromStaffId: $('from').value, toStaffId: $('to').value, includeGroups: $('groups').checked };
  if (kind === 'on_job' && $('message').value.trim()) body.message = $('message').value.trim();
  try {
    renderReport(await api('/api/handovers', { method: 'POST', body }));
    $('status').textContent = '已发起，企业微信将在 24 小时内完成接替。Started.';
    await loadJobs();
  } catch (err) {
    fail(err);
  }
}

/** `?kind=resigned&from=<staffId>` from the 门店与员工 page. */
function prefill() {
  const q = new URLSearchParams(location.search);
  const kind = q.get('kind');
  const radio = kind && document.querySelector(`input[name="kind"][value="${kind === 'resigned' ? 'resigned' : 'on_job'}"]`);
  if (radio) radio.checked = true;
  renderStaff();
  const from = q.get('from');
  if (from && [...$('from').options].some((o) => o.value === from)) $('from').value = from;
}

async function start() {
  shell = await mountConsole({ active: 'handover', title: ['客户继承', 'Customer handover'] });
  try {
    state.staff = (await api('/api/staff')).items;
    $('app').hidden = false;
    prefill();
    for (const radio of document.querySelectorAll('input[name="kind"]')) radio.addEventListener('change', renderStaff);
    $('new-form').addEventListener('submit', submit);
    $('poll').addEventListener('click', () => api(`/api/handovers/${state.current.id}/poll`, { method: 'POST', body: {} }).then((r) => (renderReport(r), loadJobs()), fail));
    await loadJobs();
  } catch (err) {
    fail(err);
  }
}

start().catch(fail);
