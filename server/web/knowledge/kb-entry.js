/*
 * The entry dialog of /hq/knowledge: create or edit one knowledge entry (question, paraphrases one per line,
 * answer, category, enabled, 0 or 2–5 A/B answer variants) and read its older versions. What the form sends is
 * checked by the server; its refusal (zh-CN first, per field) is shown inside the dialog.
 */
/* global document */
import { $, bi, el } from '/web/shared/dom.js';
import { when } from '/web/customer/kit.js';

const MAX_VARIANTS = 5;
const state = { editing: null };
let deps;

function variantRow(v = { key: '', answer: '' }) {
  const n = $('variants').children.length + 1;
  const node = el('div', { class: 'kb-variant' },
    el('div', { class: 'field kb-key' }, el('label', { for: `v-key-${n}` }, ...bi(['标识', 'Key'])), el('input', { id: `v-key-${n}`, class: 'v-key', maxlength: '16', value: v.key })),
    el('div', { class: 'field kb-vanswer' }, el('label', { for: `v-answer-${n}` }, ...bi(['变体答案', 'Variant answer'])), el('textarea', { id: `v-answer-${n}`, class: 'v-answer', rows: '2', maxlength: '2000' })),
    el('button', { type: 'button', class: 'btn small', 'aria-label': `删除变体 ${n} Remove variant`, onclick: () => (node.remove(), renderVariantButton()) }, '×'),
  );
  node.querySelector('textarea').value = v.answer;
  return node;
}

function renderVariantButton() {
  $('add-variant').disabled = $('variants').children.length >= MAX_VARIANTS;
}

function addVariant() {
  const used = new Set([...document.querySelectorAll('#variants .v-key')].map((i) => i.value.trim().toUpperCase()));
  const key = 'ABCDE'.split('').find((k) => !used.has(k)) ?? '';
  $('variants').append(variantRow({ key, answer: '' }));
  renderVariantButton();
}

function lines(text) {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

function formBody() {
  const variants = [...document.querySelectorAll('#variants .kb-variant')]
    .map((r) => ({ key: r.querySelector('.v-key').value.trim(), answer: r.querySelector('.v-answer').value.trim() }))
    .filter((v) => v.key || v.answer);
  return {
    question: $('f-question').value.trim(),
    similar: lines($('f-similar').value),
    // An edit keeps the entry's attachments (images, links, mini programs): the form does not show them.
    answer: { text: $('f-answer').value.trim(), ...(state.editing?.answer.attachments.length ? { attachments: state.editing.answer.attachments } : {}) },
    category: $('f-category').value.trim(),
    enabled: $('f-enabled').checked,
    variants,
  };
}

function fillForm(e) {
  $('entry-h').replaceChildren(...bi(e ? ['编辑知识', 'Edit entry'] : ['新建知识', 'New entry']));
  $('entry-meta').textContent = e ? `当前版本 v${e.version} · 更新于 ${when(e.updatedAt)}；修改问题、答案或变体会生成新版本，旧版本保留。Edits make a new version; old ones are kept.` : '';
  $('f-question').value = e?.question ?? '';
  $('f-similar').value = (e?.similar ?? []).join('\n');
  $('f-answer').value = e?.answer.text ?? '';
  $('f-category').value = e?.category ?? '';
  $('f-enabled').checked = e?.enabled ?? true;
  $('variants').replaceChildren();
  for (const v of e?.variants ?? []) $('variants').append(variantRow(v));
  renderVariantButton();
  $('entry-error').hidden = true;
  $('entry-delete').hidden = !e;
  $('versions').hidden = !e;
  $('version-view').hidden = true;
  if (e) {
    const versions = Array.from({ length: e.version }, (_, i) => e.version - i).slice(0, 30);
    $('version-list').replaceChildren(...versions.map((v) => el('button', { type: 'button', class: 'btn small', 'data-version': String(v), onclick: () => showVersion(e, v) }, v === e.version ? `v${v}（当前 current）` : `v${v}`)));
  }
}

/** Opens the dialog on the entry with this id, or empty for a new one. */
export async function openEntry(id) {
  $('error').hidden = true;
  try {
    state.editing = id ? await deps.api(`/api/kf/knowledge/${encodeURIComponent(id)}`) : null;
    fillForm(state.editing);
    $('entry-dialog').showModal();
    $('f-question').focus();
  } catch (err) {
    deps.fail(err);
  }
}

async function showVersion(e, version) {
  const view = $('version-view');
  view.hidden = false;
  view.replaceChildren(el('p', { class: 'loading', text: '正在加载… Loading…' }));
  for (const b of document.querySelectorAll('#version-list button')) b.setAttribute('aria-pressed', String(b.dataset.version === String(version)));
  try {
    const v = await deps.api(`/api/kf/knowledge/${encodeURIComponent(e.id)}/versions/${version}`);
    const fact = (label, value) => el('div', {}, el('dt', {}, ...bi(label)), el('dd', {}, value || '—'));
    view.replaceChildren(
      el('h4', { text: `v${v.version} · ${when(v.createdAt)}${v.createdBy ? ` · ${v.createdBy}` : ''}（只读 read only）` }),
      el('dl', { class: 'kb-facts' },
        fact(['标准问题', 'Question'], v.question),
        fact(['相似问题', 'Similar'], v.similar.join(' | ')),
        fact(['答案', 'Answer'], v.answer.text),
        fact(['分类', 'Category'], v.category),
        fact(['答案变体', 'Variants'], v.variants.map((x) => `${x.key}：${x.answer}`).join('\n'))),
    );
  } catch (err) {
    view.replaceChildren();
    deps.fail(err, view);
  }
}

async function saveEntry(event) {
  event.preventDefault();
  const box = $('entry-error');
  box.hidden = true;
  const body = formBody();
  if (!body.question || !body.answer.text) return deps.fail({ message: '请填写标准问题和答案。Question and answer are required.' }, box);
  $('entry-save').disabled = true;
  try {
    const saved = state.editing
      ? await deps.api(`/api/kf/knowledge/${encodeURIComponent(state.editing.id)}`, { method: 'PATCH', body })
      : await deps.api('/api/kf/knowledge', { method: 'POST', body });
    const was = state.editing;
    $('entry-dialog').close();
    state.editing = null;
    await deps.saved();
    deps.announce(was ? `已保存「${saved.question}」（v${saved.version}）。Saved.` : `已新建「${saved.question}」。Created.`);
  } catch (err) {
    deps.fail(err, box);
  } finally {
    $('entry-save').disabled = false;
  }
}

/** Wires the dialog: `api`, `fail(err, box?)`, `announce(text)`, `saved()` (reload the list), `remove(entry)` are the page's. */
export function mountEntryDialog(pageDeps) {
  deps = pageDeps;
  $('entry-form').addEventListener('submit', saveEntry);
  $('entry-cancel').addEventListener('click', () => $('entry-dialog').close());
  $('entry-delete').addEventListener('click', () => state.editing && deps.remove(state.editing));
  $('add-variant').addEventListener('click', addVariant);
}
