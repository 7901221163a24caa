/*
 * 客户详情 /hq/customers/:id — one customer as the console shows it: identities and channels (each WeCom
 * relation with remark, add way and channel code; official accounts, 微信客服, bots), tags (add / remove),
 * groups, lifecycle, consent (opt out / in), notes, the paged timeline, SOP runs and touches, experiment arms
 * and leads. One request for the profile (GET /api/contacts/:id/profile), one per timeline page.
 */
/* global document, location */
import { ApiError } from '/web/shared/api.js';
import { mountConsole } from '/web/shared/console.js';
import { $, bi, el, showError } from '/web/shared/dom.js';
import { ADD_WAYS, LIFECYCLE, RUN_STATUS, TOUCH_STATUS, announce, card, empty, wideCard, errorBox, label, loading, table, when } from '/web/customer/kit.js';

const EVENTS = {
  friend_added: ['添加好友', 'Friend added'], friend_deleted_by_customer: ['客户删除了员工', 'Deleted by the customer'], friend_deleted_by_staff: ['员工删除了客户', 'Deleted by staff'],
  friend_edited: ['修改备注或标签', 'Relation edited'], message_received: ['客户消息', 'Customer message'], 'contact.tags_changed': ['标签变更', 'Tags changed'],
  'contact.opted_out': ['退订', 'Opted out'], 'contact.opted_in': ['恢复接收', 'Opted in'], 'contact.handed_over': ['客户继承', 'Handed over'], 'link.clicked': ['点击链接', 'Link clicked'],
  conversion: ['转化', 'Conversion'], oa_subscribed: ['关注公众号', 'Followed the official account'], oa_unsubscribed: ['取关公众号', 'Unfollowed'], oa_text_message: ['公众号消息', 'Official-account message'],
  add_member: ['入群', 'Joined a group'], del_member: ['退群', 'Left a group'], room_joined: ['入群', 'Joined a group'], room_left: ['退群', 'Left a group'], room_message: ['群消息', 'Group message'],
  kf_message: ['客服消息', 'KF message'], reply: ['客户回复', 'Reply'],
};
const TOUCH_CHANNELS = { wecom_1to1: ['企微单聊', '1:1'], wecom_group: ['客户群', 'Group'], wecom_moments: ['朋友圈', 'Moments'], kf: ['微信客服', 'KF'], official_account: ['公众号', 'Official account'] };
const CHANNELS = { wecom: '企业微信', siyu: '私域', official_account: '公众号', kf: '微信客服', wechaty: '个人微信' };

const id = decodeURIComponent(location.pathname.split('/')[3] ?? '');
const { api } = await mountConsole({ active: 'customers', title: ['客户详情', 'Customer'] });
const content = $('content');
let profile = null;
let library = [];
let timelineCursor = null;

function fail(err) {
  if (err instanceof ApiError && err.status === 404) {
    content.replaceChildren(card('missing', ['找不到该客户', 'Customer not found'], empty('这个客户不存在，或不在你的门店范围内。This customer does not exist or is outside your stores.', '请回到客户列表重新选择。Go back to the customer list.')));
    return;
  }
  showError(err.message);
}

async function load() {
  loading(content);
  try {
    [profile, library] = await Promise.all([api(`/api/contacts/${encodeURIComponent(id)}/profile`), api('/api/tags').then((r) => r.items)]);
  } catch (err) {
    content.replaceChildren();
    fail(err);
    return;
  }
  render();
  await loadTimeline(true);
}

function render() {
  const p = profile;
  document.title = `${p.contact.name || '客户'} · 客户详情 · 私域`;
  content.replaceChildren(
    el('div', { class: 'detail-grid' }, headCard(p), identitiesCard(p), tagsCard(p), groupsCard(p), notesCard(p), experimentsCard(p), sopsCard(p), leadsCard(p), timelineCard()),
  );
}

function headCard(p) {
  const c = p.contact;
  const opted = c.consent.optedOut;
  const fact = (name, value) => el('div', {}, el('dt', {}, ...bi(name)), el('dd', { text: value }));
  return el('section', { class: 'card head-card wide', 'aria-labelledby': 'c-name' },
    el('h2', { id: 'c-name', text: c.name || '未命名客户 Unnamed customer' }),
    el('dl', { class: 'facts' },
      fact(['生命周期', 'Lifecycle'], label(LIFECYCLE, c.lifecycle)),
      fact(['手机', 'Phone'], c.phone?.masked ?? '—'),
      fact(['归属门店', 'Home store'], p.homeStoreName ?? '—'),
      fact(['接收营销', 'Marketing'], opted ? '已退订 Opted out' : '接收中 Opted in'),
      fact(['可触达', 'Reachable'], c.consent.reachable ? '是 Yes' : '否 No'),
      fact(['最近互动', 'Last interaction'], when(c.lastInteractionAt)),
      fact(['创建时间', 'Created'], when(c.createdAt)),
    ),
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'consent', class: 'btn', onclick: () => setConsent(!opted) }, ...bi(opted ? ['恢复接收营销', 'Opt back in'] : ['退订营销消息', 'Opt out'])),
    ),
  );
}

async function setConsent(optedOut) {
  try {
    await api(`/api/contacts/${encodeURIComponent(id)}/consent`, { method: 'POST', body: { optedOut } });
    profile = await api(`/api/contacts/${encodeURIComponent(id)}/profile`);
    render();
    await loadTimeline(true);
    announce(optedOut ? '已退订。Opted out.' : '已恢复接收。Opted back in.');
  } catch (err) {
    showError(err.message);
  }
}

function identitiesCard(p) {
  const c = p.contact;
  const relations = p.relations.map((r) => [
    r.staffName,
    r.storeName ?? '—',
    r.remark || '—',
    label(ADD_WAYS, r.addWay),
    r.state ?? '—',
    when(r.addedAt),
    r.deletedAt ? `已删除 Deleted（${r.deletedBy === 'customer' ? '客户 customer' : '员工 staff'}）` : '好友 Friend',
  ]);
  const others = [
    ...c.identities.openids.map((o) => ['公众号 Official account', `${o.appId} · ${o.openid}`]),
    ...c.identities.kfIds.map((k) => ['微信客服 WeChat KF', k]),
    ...c.identities.wechatyIds.map((w) => ['个人微信机器人 Bot', w]),
    ...(c.identities.unionid ? [['UnionID', c.identities.unionid]] : []),
  ];
  return wideCard('identities', ['身份与渠道', 'Identities and channels'],
    el('h3', {}, ...bi(['企业微信好友关系', 'WeCom relations'])),
    relations.length
      ? table('企业微信好友关系 WeCom relations', [[['员工', 'Staff']], [['门店', 'Store']], [['备注', 'Remark']], [['添加方式', 'Add way']], [['渠道码', 'Channel code']], [['添加时间', 'Added'], 'time'], [['状态', 'Status']]], relations)
      : empty('还没有企业微信好友关系。No WeCom relation yet.', '员工通过活码或搜索添加客户后会显示在这里。Relations appear once staff add the customer.'),
    el('h3', {}, ...bi(['其他渠道', 'Other channels'])),
    others.length ? table('其他渠道身份 Other channel identities', [[['渠道', 'Channel']], [['标识', 'Id']]], others) : empty('没有公众号、微信客服或机器人身份。No official-account, KF or bot identity.'),
  );
}

function tagsCard(p) {
  const options = library.flatMap((g) => g.tags.filter((t) => !p.contact.tagIds.includes(t.tagId)).map((t) => el('option', { value: t.tagId, text: `${g.name} / ${t.name}` })));
  const select = el('select', { id: 'tag-pick', 'aria-label': '选择要添加的标签 Tag to add' }, el('option', { value: '', text: '选择标签… Choose a tag…' }), ...options);
  return card('tags', ['标签', 'Tags'],
    p.tags.length
      ? el('ul', { class: 'chips', id: 'tag-list' }, ...p.tags.map((t) => el('li', { class: 'chip', 'data-tag': t.tagId },
          el('span', { text: t.name }), t.group ? el('span', { class: 'group', text: t.group }) : null,
          el('button', { type: 'button', 'aria-label': `移除标签 ${t.name} Remove`, onclick: () => changeTags([], [t.tagId]) }, '×'))))
      : empty('还没有标签。No tags yet.', '从下面选择一个标签添加。Pick one below to add it.'),
    library.length
      ? el('form', { class: 'row', id: 'tag-form', onsubmit: (e) => { e.preventDefault(); if (select.value) changeTags([select.value], []); } },
          select, el('button', { type: 'submit', class: 'btn primary small', id: 'tag-add' }, ...bi(['添加', 'Add'])))
      : empty('标签库是空的。The tag library is empty.', '先在「标签」页新建标签。Create tags on the Tags page first.'),
  );
}

async function changeTags(add, remove) {
  try {
    await api(`/api/contacts/${encodeURIComponent(id)}/tags`, { method: 'POST', body: { add, remove } });
    profile = await api(`/api/contacts/${encodeURIComponent(id)}/profile`);
    render();
    await loadTimeline(true);
    announce(add.length ? '已添加标签。Tag added.' : '已移除标签。Tag removed.');
  } catch (err) {
    showError(err.message);
  }
}

function groupsCard(p) {
  const rows = p.groups.map((g) => [el('a', { href: `/hq/groups/${encodeURIComponent(g.chatId)}`, text: g.name || g.chatId }), when(g.joinTime), g.quitTime ? `已退群 Left ${when(g.quitTime)}` : g.dismissed ? '已解散 Dismissed' : '在群 Member']);
  return card('groups', ['客户群', 'Groups'], rows.length ? table('所在客户群 Groups', [[['群名', 'Group']], [['入群时间', 'Joined'], 'time'], [['状态', 'Status']]], rows) : empty('不在任何客户群中。Not in any customer group.'));
}

function notesCard(p) {
  return card('notes', ['备注', 'Notes'],
    p.notes.length
      ? el('ul', { class: 'timeline' }, ...p.notes.map((n) => el('li', {}, el('span', { class: 'meta', text: when(n.createdAt) }), el('span', { class: 'what', text: n.text }))))
      : empty('还没有备注。No notes yet.', '员工可在聊天工具栏中为客户写备注。Staff write notes from the chat sidebar.'),
  );
}

function sopsCard(p) {
  const runs = p.sops.map((r) => [r.name, label(RUN_STATUS, r.status), r.stepId ?? '—', when(r.enteredAt), r.status === 'active' ? when(r.nextAt) : when(r.endedAt)]);
  const touches = p.touches.map((t) => [t.sopName, label(TOUCH_CHANNELS, t.channel), label(TOUCH_STATUS, t.status), t.reason ?? '—', when(t.at)]);
  return wideCard('sops', ['SOP 与触达', 'SOP runs and touches'],
    runs.length ? table('SOP 运行 SOP runs', [[['SOP', 'SOP']], [['状态', 'Status']], [['当前步骤', 'Step']], [['进入时间', 'Entered'], 'time'], [['下一步 / 结束', 'Next / ended'], 'time']], runs) : empty('没有参与任何 SOP。Not in any SOP.'),
    el('h3', {}, ...bi(['最近触达', 'Recent touches'])),
    touches.length ? table('最近触达 Recent touches', [[['SOP', 'SOP']], [['渠道', 'Channel']], [['状态', 'Status']], [['原因', 'Reason']], [['时间', 'At'], 'time']], touches) : empty('还没有触达记录。No touches yet.'),
  );
}

function experimentsCard(p) {
  const rows = p.experiments.map((x) => [el('a', { href: `/experiments#${encodeURIComponent(x.experimentId)}`, text: x.experimentId }), x.arm === 'holdout' ? '对照（不发送）Holdout' : x.arm, when(x.at)]);
  return card('experiments', ['实验分组', 'Experiment arms'], rows.length ? table('实验分组 Experiment arms', [[['实验', 'Experiment']], [['分组', 'Arm']], [['时间', 'At'], 'time']], rows) : empty('没有进入任何实验。Not in any experiment.'));
}

function leadsCard(p) {
  const rows = p.leads.map((l) => [el('a', { href: '/hq/campaigns', text: l.campaignId }), l.status, when(l.acceptedAt ?? l.assignedAt)]);
  return wideCard('leads', ['线索', 'Leads'], rows.length ? table('线索 Leads', [[['活动', 'Campaign']], [['状态', 'Status']], [['时间', 'At'], 'time']], rows) : empty('不是由加粉活动的线索转化而来。Not from a campaign lead.'));
}

function timelineCard() {
  return el('section', { class: 'card wide', id: 'timeline', 'aria-labelledby': 'timeline-h' },
    el('h2', { id: 'timeline-h' }, ...bi(['时间线：事件、回复、触达、任务', 'Timeline: events, replies, touches, tasks'])),
    el('ol', { class: 'timeline', id: 'timeline-list' }),
    el('div', { id: 'timeline-state' }),
    el('button', { type: 'button', class: 'btn small', id: 'timeline-more', hidden: true, onclick: () => loadTimeline(false) }, ...bi(['加载更早的记录', 'Load earlier'])),
  );
}

function describe(e) {
  const p = e.payload ?? {};
  if (e.type === 'contact.tags_changed') return [p.addedNames?.length ? `+ ${p.addedNames.join('、')}` : '', p.removed?.length ? `− ${p.removed.length} 个标签` : ''].filter(Boolean).join('  ');
  if (typeof p.text === 'string') return p.text;
  if (typeof p.reason === 'string') return p.reason;
  return '';
}

const TASK_KINDS = { one_to_one: ['一对一沟通', '1:1 message'], mass_send_confirm: ['确认群发', 'Confirm mass send'], moments: ['发朋友圈', 'Moments'], group_send: ['群发到群', 'Group send'], call: ['电话回访', 'Call'], visit: ['邀约到店', 'Visit'], custom: ['自定义任务', 'Task'], add_friend: ['添加好友', 'Add friend'] };
const TASK_STATUS = { open: ['待办', 'Open'], done: ['已完成', 'Done'], skipped: ['已跳过', 'Skipped'] };

/** One line of the activity feed: an event (messages, replies, changes), a touch of an SOP, or a staff task. */
function activityItem(x) {
  if (x.kind === 'touch') {
    return el('li', { class: 'touch' },
      el('span', { class: 'meta', text: `${when(x.sentAt ?? x.at)} · 触达 Touch` }),
      el('span', { class: 'what' }, el('strong', { text: x.sopName }), ` ${label(TOUCH_CHANNELS, x.channel)} · ${label(TOUCH_STATUS, x.status)}${x.reason ? `（${x.reason}）` : ''}${x.text ? ` — ${x.text}` : ''}`));
  }
  if (x.kind === 'task') {
    return el('li', { class: 'task' },
      el('span', { class: 'meta', text: `${when(x.at)} · 任务 Task` }),
      el('span', { class: 'what' }, el('strong', {}, ...bi(TASK_KINDS[x.taskKind] ?? [x.taskKind, ''])), ` ${x.title} · ${label(TASK_STATUS, x.status)}`));
  }
  const name = EVENTS[x.type];
  return el('li', { class: x.direction === 'inbound' ? 'event inbound' : 'event' },
    el('span', { class: 'meta', text: `${when(x.at)} · ${CHANNELS[x.channel] ?? x.channel}` }),
    el('span', { class: 'what' }, el('strong', {}, ...(name ? bi(name) : [x.type])), ' ', describe(x)));
}

async function loadTimeline(reset) {
  const list = $('timeline-list');
  const state = $('timeline-state');
  if (!list) return;
  if (reset) {
    timelineCursor = null;
    list.replaceChildren();
  }
  loading(state);
  try {
    const page = await api(`/api/contacts/${encodeURIComponent(id)}/activity`, { params: { limit: 20, cursor: timelineCursor } });
    state.replaceChildren();
    list.append(...page.items.map(activityItem));
    if (!list.children.length) state.replaceChildren(empty('还没有任何记录。Nothing happened yet.', '添加好友、消息、标签、触达和任务都会记录在这里。Adds, messages, tags, touches and tasks appear here.'));
    timelineCursor = page.nextCursor;
    $('timeline-more').hidden = !timelineCursor;
  } catch (err) {
    state.replaceChildren(errorBox(err));
  }
}

await load();
