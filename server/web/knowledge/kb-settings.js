/*
 * 客服设置, the second tab of /hq/knowledge: the two matching thresholds, the keywords that always hand over, the
 * corp dictionary, synonym groups and who receives a handed-over customer (our /service desk or the WeCom client).
 * GET /api/kf/settings fills the form; PUT replaces the whole document, so the form always sends every field.
 */
import { bi, el } from '/web/shared/dom.js';

const RECEPTION = [
  ['desk', ['私域客服工作台', 'Siyu service desk'], '会话留在接口，客服在 /service 接待（默认）。Agents answer on /service (default).'],
  ['wecom_client', ['企业微信客户端', 'WeCom client'], '转人工后会话交给企业微信的接待池，客服在企业微信里回复。Agents answer in the WeCom client.'],
];

const words = (text) => text.split(/[\n,，、;；]+/).map((s) => s.trim()).filter(Boolean);

function field(id, label, control, hint) {
  return el('div', { class: 'field' }, el('label', { for: id }, ...bi(label)), control, hint ? el('p', { class: 'muted kb-hint', text: hint }) : null);
}

function textarea(id, value, rows = 3) {
  const t = el('textarea', { id, rows: String(rows) });
  t.value = value;
  return t;
}

/** Loads the settings into `into` and keeps them saved; `fail(err, box)` and `announce(text)` are the page's. */
export async function mountSettings({ api, into, announce, fail }) {
  let s;
  try {
    s = await api('/api/kf/settings');
  } catch (err) {
    into.replaceChildren();
    fail(err, into);
    return;
  }
  const number = (id, value) => el('input', { id, type: 'number', min: '0', max: '1', step: '0.005', value: String(value), required: true, inputmode: 'decimal' });
  const minutes = (id, value) => el('input', { id, type: 'number', min: '5', max: '1440', step: '1', value: String(value), required: true, inputmode: 'numeric' });
  const errorBox = el('div', { id: 'settings-error', class: 'error', role: 'alert', hidden: true });
  const form = el('form', { id: 'settings-form', class: 'kb-settings', novalidate: true },
    el('fieldset', {},
      el('legend', {}, ...bi(['匹配阈值', 'Thresholds'])),
      el('p', { class: 'muted kb-hint', text: '相似度 ≥ 回答阈值：直接回答；介于两者之间：推荐最相近的三条「您是不是想问」；低于推荐阈值：转人工。Score ≥ answer: answer; between: suggest three; below suggest: hand over.' }),
      el('div', { class: 'kb-two' },
        field('s-answer', ['回答阈值', 'Answer threshold'], number('s-answer', s.answerThreshold)),
        field('s-suggest', ['推荐阈值', 'Suggest threshold'], number('s-suggest', s.suggestThreshold)))),
    field('s-keywords', ['转人工关键词', 'Always hand over on'], textarea('s-keywords', s.handoverKeywords.join('\n'), 4), '每行一个（或用逗号分隔）；客户的话里出现任何一个就转人工。One per line; any of them hands over.'),
    field('s-dictionary', ['企业词典', 'Corp dictionary'], textarea('s-dictionary', s.dictionary.join('\n'), 3), '产品名、活动名等专有词，每行一个，分词时当作一个词（门店名自动加入）。Product names kept as one word; store names are added.'),
    field('s-synonyms', ['同义词', 'Synonyms'], textarea('s-synonyms', s.synonyms.map((g) => g.join('，')).join('\n'), 3), '每行一组，组内用逗号分隔，例如：鲜奶，牛奶，奶。One group per line, comma separated.'),
    el('fieldset', {},
      el('legend', {}, ...bi(['转人工后由谁接待', 'Reception after a handover'])),
      el('div', { class: 'kb-reception' }, ...RECEPTION.map(([value, label, hint]) =>
        el('label', {}, el('input', { type: 'radio', name: 'reception', value, checked: s.reception === value }), el('span', {}, el('strong', {}, ...bi(label)), el('span', { class: 'muted kb-hint', text: ` ${hint}` })))))),
    el('fieldset', {},
      el('legend', {}, ...bi(['无人回复时自动结束', 'End idle sessions'])),
      el('p', { class: 'muted kb-hint', text: '客户这么久没有再发消息，会话自动结束（计入解决时长和首次联系解决率）。5–1440 分钟。Minutes of silence before a session ends.' }),
      el('div', { class: 'kb-two' },
        field('s-bot-idle', ['智能助手接待中（分钟）', 'Bot sessions, minutes'], minutes('s-bot-idle', s.botIdleEndMinutes ?? 30)),
        field('s-pool-idle', ['待接入池中（分钟）', 'Waiting in the pool, minutes'], minutes('s-pool-idle', s.poolIdleEndMinutes ?? 240)))),
    errorBox,
    el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'settings-save', class: 'btn primary' }, ...bi(['保存设置', 'Save settings']))),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const body = {
      answerThreshold: Number(form.querySelector('#s-answer').value),
      suggestThreshold: Number(form.querySelector('#s-suggest').value),
      handoverKeywords: words(form.querySelector('#s-keywords').value),
      dictionary: words(form.querySelector('#s-dictionary').value),
      synonyms: form.querySelector('#s-synonyms').value.split('\n').map(words).filter((g) => g.length),
      reception: form.querySelector('input[name="reception"]:checked')?.value ?? 'desk',
      botIdleEndMinutes: Number(form.querySelector('#s-bot-idle').value),
      poolIdleEndMinutes: Number(form.querySelector('#s-pool-idle').value),
    };
    const save = form.querySelector('#settings-save');
    save.disabled = true;
    try {
      await api('/api/kf/settings', { method: 'PUT', body });
      announce('客服设置已保存，新的匹配立即生效。Settings saved.');
    } catch (err) {
      fail(err, errorBox);
    } finally {
      save.disabled = false;
    }
  });
  into.replaceChildren(form);
}
