/*
 * 标签 /hq/tags — the tag library: groups and tags, which are mirrored with WeCom and which are local, how many
 * customers carry each, and create / rename / merge / delete. Changes to WeCom tags go to WeCom first; a refusal
 * comes back as a 502 whose message is the refusal in zh-CN (the server's describeVendorError) and is shown as it
 * is. The merge dialog asks the server for a dry run and shows its count before the merge can be confirmed.
 */
/* global window */
import { mountConsole } from '/web/shared/console.js';
import { $, bi, el, showError } from '/web/shared/dom.js';
import { announce, empty, errorBox, loading, table } from '/web/customer/kit.js';

const { api } = await mountConsole({ active: 'tags', title: ['标签管理', 'Tags'] });
const content = $('content');
let groups = [];
let usage = new Map();
let merging = null;
let previewSeq = 0;

async function load() {
  if (!groups.length) loading(content);
  try {
    const [lib, use] = await Promise.all([api('/api/tags'), api('/api/tags/usage')]);
    groups = lib.items;
    usage = new Map(use.items.map((u) => [u.tagId, u]));
    render();
  } catch (err) {
    content.replaceChildren(errorBox(err));
  }
}

async function act(run, done) {
  showError('');
  try {
    await run();
    // Reload first so the announcement never describes a list that is still the old one.
    await load();
    announce(done);
    return true;
  } catch (err) {
    showError(err.message);
    return false;
  }
}

function tagRow(g, t) {
  const u = usage.get(t.tagId);
  const kind = u?.mirrored ? el('span', { class: 'badge enabled', text: '企微同步 WeCom' }) : el('span', { class: 'badge', text: '本地 Local' });
  const rename = () => {
    const name = window.prompt('新的标签名 New tag name', t.name)?.trim();
    if (name && name !== t.name) void act(() => api(`/api/tags/${encodeURIComponent(t.tagId)}`, { method: 'PATCH', body: { name } }), '已重命名。Renamed.');
  };
  const remove = () => {
    if (window.confirm(`删除标签「${t.name}」？已打上的客户会保留标签 ID。Delete the tag?`)) void act(() => api(`/api/tags/${encodeURIComponent(t.tagId)}`, { method: 'DELETE' }), '已删除。Deleted.');
  };
  return [
    el('span', { class: 'tag-name', 'data-tag': t.tagId, text: t.name }),
    kind,
    String(u?.customers ?? 0),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'btn small', onclick: rename }, ...bi(['重命名', 'Rename'])),
      el('button', { type: 'button', class: 'btn small merge', 'data-tag': t.tagId, onclick: () => openMerge(g, t) }, ...bi(['合并', 'Merge'])),
      el('button', { type: 'button', class: 'btn small', onclick: remove }, ...bi(['删除', 'Delete']))),
  ];
}

function groupCard(g) {
  const addTag = el('form', { class: 'row', onsubmit: (e) => {
    e.preventDefault();
    const name = e.target.elements.name.value.trim();
    if (name) void act(() => api(`/api/tag-groups/${encodeURIComponent(g.groupId)}/tags`, { method: 'POST', body: { name } }), '已添加标签。Tag added.');
  } },
    el('label', { class: 'sr-only', for: `add-${g.groupId}`, text: `在 ${g.name} 中新建标签 New tag` }),
    el('input', { id: `add-${g.groupId}`, name: 'name', maxlength: '30', required: true, placeholder: '新标签 New tag' }),
    el('button', { type: 'submit', class: 'btn small' }, ...bi(['添加', 'Add'])));
  const renameGroup = () => {
    const name = window.prompt('新的组名 New group name', g.name)?.trim();
    if (name && name !== g.name) void act(() => api(`/api/tag-groups/${encodeURIComponent(g.groupId)}`, { method: 'PATCH', body: { name } }), '已重命名。Renamed.');
  };
  const deleteGroup = () => {
    if (window.confirm(`删除标签组「${g.name}」及其全部标签？Delete the group and its tags?`)) void act(() => api(`/api/tag-groups/${encodeURIComponent(g.groupId)}`, { method: 'DELETE' }), '已删除标签组。Group deleted.');
  };
  const total = g.tags.reduce((n, t) => n + (usage.get(t.tagId)?.customers ?? 0), 0);
  return el('section', { class: 'card', 'aria-labelledby': `g-${g.groupId}` },
    el('div', { class: 'card-head' },
      el('h2', { id: `g-${g.groupId}` }, g.name, ' ', el('span', { class: 'count', text: `${g.tags.length} 个标签 · ${total} 次使用` })),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'btn small', onclick: renameGroup }, ...bi(['重命名', 'Rename'])),
        el('button', { type: 'button', class: 'btn small', onclick: deleteGroup }, ...bi(['删除', 'Delete'])))),
    g.tags.length
      ? table(`${g.name} 的标签 Tags`, [[['标签', 'Tag']], [['来源', 'Kind']], [['客户数', 'Customers'], 'num'], [['操作', 'Actions']]], g.tags.map((t) => tagRow(g, t)))
      : empty('这个组还没有标签。No tags in this group.', '在下面输入名称添加。Add one below.'),
    addTag,
  );
}

function render() {
  content.replaceChildren(
    ...(groups.length ? groups.map(groupCard) : [empty('还没有标签。No tags yet.', '用上面的表单新建第一个标签组；已连接企业微信时，同步会带来企微标签。Create the first group above; a WeCom sync brings WeCom’s tags.')]),
  );
}

function openMerge(g, t) {
  merging = t;
  const others = groups.flatMap((x) => x.tags.filter((y) => y.tagId !== t.tagId).map((y) => el('option', { value: y.tagId, text: `${x.name} / ${y.name}` })));
  $('merge-into').replaceChildren(...others);
  $('merge-what').textContent = `把「${g.name} / ${t.name}」合并到：`;
  $('merge-dialog').showModal();
  void preview();
}

/** The server's own count of what the merge would change; the confirm button waits for it. */
async function preview() {
  const seq = ++previewSeq;
  const box = $('merge-preview');
  const confirm = $('merge-confirm');
  confirm.disabled = true;
  if (!merging || !$('merge-into').value) {
    box.textContent = '没有可合并到的其他标签。先新建一个标签。No other tag to merge into.';
    return;
  }
  box.textContent = '正在统计影响范围… Counting…';
  try {
    const r = await api(`/api/tags/${encodeURIComponent(merging.tagId)}/merge`, { method: 'POST', body: { into: $('merge-into').value, dryRun: true } });
    if (seq !== previewSeq) return;
    const wecom = r.mirrored ? '，先在企业微信中逐一改标签再删除原标签' : '';
    box.textContent = `将影响 ${r.customers} 位客户、${r.relations} 条好友关系${wecom}。确认合并吗？ ${r.customers} customers and ${r.relations} relations will change.`;
    confirm.disabled = false;
  } catch (err) {
    if (seq === previewSeq) box.textContent = `无法统计影响范围：${err.message}`;
  }
}

$('merge-into').addEventListener('change', () => void preview());

$('merge-dialog').addEventListener('close', () => {
  if ($('merge-dialog').returnValue !== 'merge' || !merging) return;
  const from = merging;
  const into = $('merge-into').value;
  merging = null;
  void act(() => api(`/api/tags/${encodeURIComponent(from.tagId)}/merge`, { method: 'POST', body: { into } }), `已合并「${from.name}」。Merged.`);
});

$('group-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.target;
  const name = form.elements.name.value.trim();
  const tags = form.elements.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean).map((n) => ({ name: n }));
  if (!name) return;
  const mirror = form.elements.mirror.checked;
  void act(() => api('/api/tag-groups', { method: 'POST', body: { name, tags, ...(mirror ? { mirror } : {}) } }), '已新建标签组。Group created.').then((ok) => ok && form.reset());
});

await load();
