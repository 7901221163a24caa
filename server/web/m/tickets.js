/** /m's 「我的工单」 section: the signed-in staff member's open kf tickets, soonest due first, with the next move. */
import { ApiError } from '/web/shared/api.js';
import { $, el } from '/web/shared/dom.js';

const NEXT = {
  assigned: ['handled', '标记已处理', 'Mark handled'],
  handled: ['followed_up', '标记已回访', 'Mark followed up'],
  followed_up: ['closed', '关闭工单', 'Close'],
};
const STATE = { created: '已创建 Created', assigned: '已分派 Assigned', handled: '已处理 Handled', followed_up: '已回访 Followed up' };

const bi = (zh, en) => [el('span', { class: 'zh', text: zh }), ' ', el('span', { lang: 'en', text: en })];
const timeOf = (iso) => new Date(iso).toLocaleString('zh-CN', { hour12: false, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Loads and renders; `api` and `handle` are the page's (same token, same error reporting). */
export async function loadTickets(api, handle, now = Date.now()) {
  let items;
  try {
    items = (await api('/api/me/tickets')).items;
  } catch (err) {
    // The task list works without tickets; a sign-in problem is reported by the tasks call.
    if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) handle(err);
    items = [];
  }
  $('tickets-section').hidden = items.length === 0;
  $('tickets-count').textContent = `(${items.length})`;
  $('tickets-list').replaceChildren(
    ...items.map((t) => {
      const overdue = new Date(t.dueAt).getTime() < now;
      const next = NEXT[t.state];
      const button = next ? el('button', { type: 'button', class: 'btn small' }, ...bi(next[1], next[2])) : null;
      button?.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api(`/api/me/tickets/${t.id}/move`, { method: 'POST', body: { to: next[0] } });
        } catch (err) {
          handle(err);
        }
        await loadTickets(api, handle);
      });
      return el(
        'li',
        { class: 'card kind-ticket', 'data-ticket-id': t.id, 'data-state': t.state },
        el(
          'article',
          {},
          el('div', { class: 'card-head' }, el('span', { class: 'badge', text: '工单 Ticket' }), el('span', { class: 'muted', text: STATE[t.state] ?? t.state })),
          el('h3', { text: t.title }),
          el('p', { class: overdue ? 'overdue' : 'muted', text: `${overdue ? '已逾期 Overdue · ' : ''}截止 Due ${timeOf(t.dueAt)}` }),
          button ? el('div', { class: 'actions' }, button) : null,
        ),
      );
    }),
  );
}
