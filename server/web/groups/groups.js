/*
 * 客户群 /hq/groups (the list: owner, store, name filters, cursor pages) and /hq/groups/:chatId (one group:
 * owner, store, member count and its 30-day trend, members with join time and scene, quits, the group SOPs it
 * is in). One page file for both: the path says which. ECharts is the global from /vendor/echarts.min.js.
 */
/* global document, location, window */
import { ApiError } from '/web/shared/api.js';
import { mountConsole } from '/web/shared/console.js';
import { $, bi, el, showError } from '/web/shared/dom.js';
import { JOIN_SCENES, RUN_STATUS, card, empty, errorBox, label, loading, table, when } from '/web/customer/kit.js';

const chatId = decodeURIComponent(location.pathname.split('/')[3] ?? '');
const title = chatId ? ['客户群详情', 'Customer group'] : ['客户群', 'Customer groups'];
const { api } = await mountConsole({ active: 'groups', title });
const content = $('content');

// ---- the list

let stores = [];
let staff = [];
let filter = {};
let cursor = null;

function filtersForm() {
  const storeSelect = el('select', { id: 'f-store', name: 'storeId' }, el('option', { value: '', text: '全部门店 All stores' }), ...stores.map((s) => el('option', { value: s.id, text: s.name })));
  const ownerSelect = el('select', { id: 'f-owner', name: 'owner' }, el('option', { value: '', text: '全部群主 All owners' }), ...staff.map((s) => el('option', { value: s.userId, text: s.name })));
  return el('form', { id: 'group-filters', class: 'card filters', onsubmit: (e) => {
    e.preventDefault();
    const f = e.target.elements;
    filter = { q: f.q.value.trim(), storeId: f.storeId.value, owner: f.owner.value };
    void loadList(true);
  } },
    el('div', { class: 'field' }, el('label', { for: 'f-q' }, ...bi(['群名', 'Name'])), el('input', { id: 'f-q', name: 'q', type: 'search', maxlength: '100', placeholder: '搜索群名 Search' })),
    el('div', { class: 'field' }, el('label', { for: 'f-store' }, ...bi(['门店', 'Store'])), storeSelect),
    el('div', { class: 'field' }, el('label', { for: 'f-owner' }, ...bi(['群主', 'Owner'])), ownerSelect),
    el('button', { type: 'submit', class: 'btn primary' }, ...bi(['筛选', 'Filter'])),
  );
}

async function showList() {
  loading(content);
  try {
    [stores, staff] = await Promise.all([api('/api/stores').then((r) => r.items ?? r), api('/api/staff').then((r) => r.items ?? r)]);
  } catch {
    // The filters are a convenience: without the org lists the page still lists groups.
    stores = [];
    staff = [];
  }
  content.replaceChildren(filtersForm(), el('section', { class: 'card', 'aria-labelledby': 'list-h' },
    el('h2', { id: 'list-h' }, ...bi(['客户群列表', 'Groups'])),
    el('div', { id: 'list' }),
    el('div', { id: 'list-state' }),
    el('button', { type: 'button', id: 'list-more', class: 'btn small', hidden: true, onclick: () => loadList(false) }, ...bi(['加载更多', 'Load more'])),
  ));
  await loadList(true);
}

const listRows = [];
async function loadList(reset) {
  if (reset) {
    cursor = null;
    listRows.length = 0;
  }
  loading($('list-state'));
  try {
    const page = await api('/api/groups', { params: { ...filter, limit: 50, cursor } });
    listRows.push(...page.items);
    cursor = page.nextCursor;
    $('list-state').replaceChildren();
    $('list-more').hidden = !cursor;
    $('list').replaceChildren(listRows.length
      ? table('客户群 Customer groups', [[['群名', 'Group']], [['群主', 'Owner']], [['门店', 'Store']], [['成员', 'Members'], 'num'], [['客户', 'Customers'], 'num'], [['退群', 'Quits'], 'num'], [['状态', 'Status']]],
          listRows.map((g) => [el('a', { href: `/hq/groups/${encodeURIComponent(g.chatId)}`, text: g.name || '未命名群 Unnamed' }), g.ownerName ?? g.ownerUserId, g.storeName ?? '—', String(g.members), String(g.externalMembers), String(g.quits), g.dismissed ? '已解散 Dismissed' : '正常 Active']))
      : empty(Object.values(filter).some(Boolean) ? '没有符合条件的客户群。No group matches.' : '还没有客户群。No customer groups yet.', Object.values(filter).some(Boolean) ? '换个条件再试。Try other filters.' : '在「设置」中连接企业微信并同步后，员工的客户群会出现在这里。Connect WeCom in Settings and sync.'));
  } catch (err) {
    $('list-state').replaceChildren(errorBox(err));
  }
}

// ---- one group

async function showGroup() {
  loading(content);
  let g;
  try {
    g = await api(`/api/groups/${encodeURIComponent(chatId)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      content.replaceChildren(card('missing', ['找不到该客户群', 'Group not found'], empty('这个群不存在，或不在你的门店范围内。This group does not exist or is outside your stores.', '请回到客户群列表重新选择。Go back to the list.')));
    } else {
      content.replaceChildren();
      showError(err.message);
    }
    return;
  }
  document.title = `${g.name || '客户群'} · 客户群 · 私域`;
  const fact = (name, value) => el('div', {}, el('dt', {}, ...bi(name)), el('dd', { text: value }));
  const external = g.members.filter((m) => m.memberType === 'external').length;
  const who = (m) => (m.memberType === 'staff' ? `${m.name ?? m.userId}（员工 staff）` : m.contactId ? el('a', { href: `/hq/customers/${encodeURIComponent(m.contactId)}`, text: m.name || m.userId }) : `${m.userId}（未识别客户 not yet known）`);
  const chart = el('div', { id: 'trend-chart', class: 'chart', role: 'img', 'aria-label': '近 30 天群成员数折线图 Members over the last 30 days' });
  content.replaceChildren(el('div', { class: 'detail-grid' },
    el('section', { class: 'card head-card wide', 'aria-labelledby': 'g-name' },
      el('p', {}, el('a', { href: '/hq/groups' }, '← ', ...bi(['客户群列表', 'All groups']))),
      el('h2', { id: 'g-name', text: g.name || '未命名群 Unnamed group' }),
      el('dl', { class: 'facts' },
        fact(['群主', 'Owner'], g.ownerName ?? g.ownerUserId),
        fact(['门店', 'Store'], g.storeName ?? '—'),
        fact(['当前成员', 'Members now'], String(g.members.length)),
        fact(['其中客户', 'Customers'], String(external)),
        fact(['已退群', 'Quits'], String(g.quits.length)),
        fact(['状态', 'Status'], g.dismissedAt ? `已解散 Dismissed ${when(g.dismissedAt)}` : '正常 Active'),
      ),
      g.notice ? el('p', { class: 'muted', text: `群公告：${g.notice}` }) : null),
    el('figure', { class: 'card wide' }, el('figcaption', {}, ...bi(['近 30 天成员数', 'Members, last 30 days'])), chart),
    card('members', ['群成员', 'Members'], g.members.length
      ? table('群成员 Members', [[['成员', 'Member']], [['入群时间', 'Joined'], 'time'], [['入群方式', 'Scene']]], g.members.map((m) => [who(m), when(m.joinTime), label(JOIN_SCENES, m.joinScene)]))
      : empty('群里没有成员。No members.')),
    card('quits', ['退群记录', 'Quits'], g.quits.length
      ? table('退群记录 Quits', [[['成员', 'Member']], [['入群', 'Joined'], 'time'], [['退群', 'Left'], 'time']], g.quits.map((m) => [who(m), when(m.joinTime), when(m.quitTime)]))
      : empty('还没有人退群。Nobody has left.')),
    card('group-sops', ['群 SOP', 'Group SOPs'], g.sops.length
      ? table('群 SOP Group SOPs', [[['SOP', 'SOP']], [['状态', 'Status']], [['当前步骤', 'Step']], [['进入时间', 'Entered'], 'time']], g.sops.map((r) => [r.name, label(RUN_STATUS, r.status), r.stepId ?? '—', when(r.enteredAt)]))
      : empty('这个群没有参与群 SOP。Not in any group SOP.', '在「SOP & 内容」中发布以客户群为对象的 SOP。Publish a group SOP under SOPs & content.')),
  ));
  drawTrend(chart, g.trend);
}

function drawTrend(node, trend) {
  const echarts = window.echarts;
  if (!echarts) return;
  const chart = echarts.init(node, null, { renderer: 'svg' });
  chart.setOption({
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: trend.map((d) => d.date.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: '成员 Members', data: trend.map((d) => d.members), step: 'end', showSymbol: false, areaStyle: { opacity: 0.15 }, color: '#0a7d4f' }],
  });
  window.addEventListener('resize', () => chart.resize());
}

if (chatId) await showGroup();
else await showList();
