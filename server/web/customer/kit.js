/*
 * What the customer, tag and group pages of the console share (served as /web/customer/kit.js): labels of
 * WeCom codes, dates in the corp's time zone, tables that become stacked cards on phones, and the page's
 * loading / empty / error states. Plain module, no build step.
 */
/* global document */
import { bi, el } from '/web/shared/dom.js';

/** WeCom add_way (客户来源) https://developer.work.weixin.qq.com/document/path/92114 */
export const ADD_WAYS = {
  0: ['未知来源', 'Unknown'], 1: ['扫描二维码', 'QR code'], 2: ['搜索手机号', 'Phone search'], 3: ['名片分享', 'Card shared'],
  4: ['群聊', 'Group chat'], 5: ['手机通讯录', 'Phone contacts'], 6: ['微信联系人', 'WeChat contacts'], 8: ['第三方应用客服', 'App service staff'],
  9: ['搜索邮箱', 'Email search'], 10: ['视频号', 'Channels'], 11: ['日程参与人', 'Schedule'], 12: ['会议参与人', 'Meeting'],
  13: ['微信好友对应的企业微信', 'WeChat friend'], 14: ['智慧硬件客服', 'Smart hardware'], 15: ['上门服务客服', 'Home service'], 16: ['获客链接', 'Acquisition link'],
  17: ['定制开发', 'Custom'], 18: ['需求回复', 'Demand reply'], 201: ['内部成员共享', 'Shared by a member'], 202: ['管理员/负责人分配', 'Assigned by admin'],
};
/** WeCom join_scene (入群方式) https://developer.work.weixin.qq.com/document/path/92122 */
export const JOIN_SCENES = { 0: ['未知', 'Unknown'], 1: ['成员直接邀请', 'Invited'], 2: ['邀请链接', 'Invite link'], 3: ['扫描群二维码', 'Group QR code'] };
export const LIFECYCLE = { lead: ['线索', 'Lead'], prospect: ['潜在客户', 'Prospect'], customer: ['客户', 'Customer'], vip: ['VIP', 'VIP'], churned: ['流失', 'Churned'] };
export const RUN_STATUS = { active: ['进行中', 'Active'], paused: ['已暂停', 'Paused'], completed: ['已完成', 'Completed'], exited: ['已退出', 'Exited'] };
export const TOUCH_STATUS = { sent: ['已发送', 'Sent'], skipped: ['已跳过', 'Skipped'], failed: ['失败', 'Failed'], scheduled: ['待发送', 'Scheduled'], held: ['暂停中', 'Held'], sending: ['发送中', 'Sending'], planned: ['已计划', 'Planned'] };

/** "中文 English" of a code, or the code itself. */
export const label = (map, key) => (map[key] ? `${map[key][0]} ${map[key][1]}` : String(key ?? '—'));

const TZ = 'Asia/Shanghai';
/** A date and time as people in the corp read it (China time), or — when there is none. */
export function when(at, { date = false } = {}) {
  if (!at) return '—';
  const opts = date ? { year: 'numeric', month: '2-digit', day: '2-digit' } : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, ...opts }).format(new Date(at));
}

/**
 * A table whose rows become labelled cards under 640 px (kit.css), so phones never scroll sideways.
 * `columns`: [[zh, en], class?]; each row: cells as strings or nodes, in column order.
 */
export function table(caption, columns, rows) {
  const head = el('tr', {}, ...columns.map(([name, cls]) => el('th', { scope: 'col', class: cls }, ...bi(name))));
  const body = rows.map((cells) =>
    el('tr', {}, ...cells.map((cell, i) => el('td', { class: columns[i]?.[1], 'data-label': columns[i]?.[0]?.[0] ?? '' }, cell ?? '—'))),
  );
  return el('div', { class: 'table-wrap' }, el('table', { class: 'stack' }, el('caption', { class: 'sr-only', text: caption }), el('thead', {}, head), el('tbody', {}, ...body)));
}

/** The empty state: what is missing and what to do next. */
export const empty = (what, next) => el('p', { class: 'empty' }, el('span', { text: what }), next ? el('span', { class: 'next', text: next }) : null);

/** A card with a heading ([zh, en]) and its content; `wideCard` spans both columns of a detail grid. */
export function card(id, title, ...content) {
  return el('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, el('h2', { id: `${id}-h` }, ...bi(title)), ...content);
}

/** The page's loading line while the first answer is on its way. */
export function loading(into, text = '正在加载… Loading…') {
  into.replaceChildren(el('p', { class: 'loading', role: 'status', text }));
}

/** A refusal of the API in the page's error box: the zh-CN message the server or the page gave. */
export function errorBox(err) {
  return el('div', { class: 'error', role: 'alert', text: err?.message ?? String(err) });
}

/** Sets the page's live status line (saved, merged …). */
export function announce(text) {
  const box = document.getElementById('status');
  if (box) box.textContent = text;
}

/** A card across both columns of the detail grid (tables with many columns). */
export function wideCard(id, title, ...content) {
  const node = card(id, title, ...content);
  node.classList.add('wide');
  return node;
}
