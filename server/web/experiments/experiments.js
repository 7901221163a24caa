/* The experiments dashboard (/experiments) for marketers: every A/B experiment with its primary verdict, and one
 * experiment's statistics per metric and arm, its charts (charts.js), the SRM warning, the per-store breakdown,
 * the CSV export and stop. Plain modules, no build step; words and number formats in format.js; sign-in and
 * navigation from the console shell (shared/console.js). */
/* global window, location, history, URLSearchParams, setTimeout, clearTimeout */

import { ApiError } from '/web/shared/api.js';
import { consoleApi, mountConsole } from '/web/shared/console.js';
import { $, bi, el, saveBlob, showError, td } from '/web/shared/dom.js';
import { rateChart, resizeCharts, seriesChart } from './charts.js';
import { HOLDOUT, MIN_SAMPLE, STAT_ROWS, armName, setArmLabels, count, formatDate, formatTime, metricName, pText, pct, usedTag, verdictInfo } from './format.js';

/** [zh-CN, English] labels. */
const STATUS = { running: ['进行中', 'Running'], stopped: ['已停止', 'Stopped'], decided: ['已选出胜者', 'Decided'] };
const ERRORS = {
  network: '网络异常，请检查网络后重试。Network error.',
  401: '令牌无效或已过期，请重新登录。Token invalid or expired.',
  403: '此令牌没有权限。This token lacks the permission.',
  404: '找不到该实验。Experiment not found.',
  409: '实验已不在进行中。The experiment is no longer running.',
  500: '服务器出错了，请稍后重试。Server error.',
};

const state = { sops: new Map(), detail: null, metric: null, canWrite: true };

const call = consoleApi({ errors: ERRORS });
/** The console shell once mounted (signOut on a 401). */
let shell = null;

/** A successful Response (the CSV export reads it as a file). */
const request = (path, options = {}) => call(path, { ...options, raw: true });
const api = async (path, options) => (await request(path, options)).json();

function verdictBadge(verdict, role) {
  const v = verdictInfo(verdict, role);
  return el('span', { class: `badge verdict ${v.kind}`, 'data-verdict': verdict ?? 'none' }, ...bi(v.text), v.arm ? el('strong', { text: ` · ${v.arm}` }) : null);
}
const statusBadge = (s) => el('span', { class: `badge status ${s}` }, ...bi(STATUS[s] ?? [s, '']));

function sourceText(source) {
  if (source.sopId) {
    const name = state.sops.get(source.sopId);
    return `SOP「${name ?? source.sopId}」· 步骤 ${source.stepId ?? '—'}`;
  }
  if (source.campaignId?.startsWith('kf-knowledge:')) return '知识库答案 Knowledge answer';
  if (source.campaignId) return `活动 Campaign ${source.campaignId}`;
  return '—';
}

/* ---------- sign-in, errors, routing ---------- */

let statusTimer;
function announce(text) {
  clearTimeout(statusTimer);
  $('status').textContent = text;
  statusTimer = setTimeout(() => ($('status').textContent = ''), 6000);
}
function handle(err) {
  if (err instanceof ApiError && err.status === 401) return signedOut(ERRORS[401]);
  showError(err instanceof ApiError ? err.message : `${ERRORS[500]} ${err?.message ?? ''}`);
}

function signedOut(message) {
  shell?.signOut(message ?? '');
}

async function signIn() {
  showError('');
  const sops = await api('/api/sops').catch(() => ({ items: [] }));
  state.sops = new Map(sops.items.map((s) => [s.sopId, s.name]));
  await route();
}

const currentId = () => new URLSearchParams(location.hash.slice(1)).get('exp');
async function route() {
  const id = currentId();
  showError('');
  $('status').textContent = '';
  // A view shows once its data is in: no stale experiment while the next one loads.
  $('list-view').hidden = true;
  $('detail-view').hidden = true;
  $('to-list').hidden = !id;
  if (id) await loadDetail(id);
  else await loadList();
}

/* ---------- list ---------- */

/** Units per arm when the list carries them (`armUnits: [{ name, units }]`), else the total and the intended split. */
function armUnitsText(item) {
  const labels = new Map(item.arms.map((a) => [a.id, a.label ?? a.id]));
  if (Array.isArray(item.armUnits)) return item.armUnits.map((a) => `${armName(a.name, labels)} ${count(a.units)}`).join(' · ');
  const total = item.arms.reduce((s, a) => s + a.weight, 0) + item.holdoutWeight;
  const split = [...item.arms.map((a) => `${a.label ?? a.id} ${Math.round((a.weight / total) * 100)}%`), ...(item.holdoutWeight > 0 ? [`${armName(HOLDOUT)} ${Math.round((item.holdoutWeight / total) * 100)}%`] : [])];
  return `共 ${count(item.units)} 人（计划 ${split.join(' / ')}）`;
}

async function loadList() {
  const res = await api('/api/experiments');
  if (currentId()) return;
  $('list-view').hidden = false;
  $('exp-count').textContent = `(${res.items.length})`;
  const open = (id) => (location.hash = `exp=${encodeURIComponent(id)}`);
  $('exp-table').tBodies[0].replaceChildren(
    ...(res.items.length
      ? res.items.map((e) =>
          el(
            'tr',
            { 'data-experiment-id': e.experimentId },
            el('th', { scope: 'row' }, el('a', { href: `#exp=${encodeURIComponent(e.experimentId)}`, class: 'exp-link', text: e.name ?? e.experimentId }), e.name && e.name !== e.experimentId ? el('div', { class: 'muted small', text: e.experimentId }) : null),
            td(sourceText(e.source), 'source'),
            el('td', {}, statusBadge(e.status)),
            el('td', { class: 'verdict-cell' }, e.srm?.flagged ? verdictBadge('srm') : verdictBadge(e.primary?.verdict ?? null), e.primary ? el('span', { class: 'muted small', text: ` ${metricName(e.primary.metric)[0]}` }) : null),
            td(armUnitsText(e), 'units'),
            td(formatDate(e.startAt), 'time'),
            el('td', {}, el('button', { type: 'button', class: 'btn small', 'aria-label': `查看 ${e.name ?? e.experimentId} View`, onclick: () => open(e.experimentId) }, ...bi(['查看', 'View']))),
          ),
        )
      : [el('tr', {}, el('td', { colspan: '7', class: 'muted', text: '还没有实验。在 SOP 的发送步骤里配置 variants 并发布，实验会自动创建。No experiments yet: publish an SOP with variants on a send step.' }))]),
  );
}

/* ---------- detail ---------- */

async function loadDetail(id) {
  const d = await api(`/api/experiments/${encodeURIComponent(id)}`);
  if (currentId() !== id) return;
  state.detail = d;
  $('detail-view').hidden = false;
  const { experiment: e, results: r } = d;
  const primary = r.metrics.find((m) => m.primary) ?? r.metrics[0];
  if (!r.metrics.some((m) => m.metric === state.metric)) state.metric = primary?.metric ?? null;
  setArmLabels(e.arms);
  $('detail-heading').replaceChildren(e.name ?? e.experimentId, ' ', statusBadge(e.status));
  $('detail-source').textContent = sourceText(e.source);
  $('stop-open').hidden = !(e.status === 'running' && state.canWrite);
  renderVerdict(e, r, primary);
  renderSrm(r);
  renderInsufficient(r, primary);
  $('metric-select').replaceChildren(...r.metrics.map((m) => el('option', { value: m.metric, selected: m.metric === state.metric, text: `${metricName(m.metric).join(' ')}${m.primary ? '（主要 primary）' : m.role === 'guardrail' ? '（护栏 guardrail）' : ''}` })));
  $('metric-tables').replaceChildren(...r.metrics.map((m, i) => metricCard(m, i, r)));
  renderConfig(e, r, d.autoWinnerCheck);
  renderSelected();
}

function renderSelected() {
  const r = state.detail?.results;
  const m = r?.metrics.find((x) => x.metric === state.metric);
  if (!m) return;
  rateChart($('chart-rates'), m);
  $('series-tz').textContent = r.series.days.length ? `· ${r.series.timezone}` : '· 暂无数据 no data yet';
  seriesChart($('chart-series'), r.series, m.metric);
  renderStores(r, m.metric);
}

function renderVerdict(e, r, primary) {
  const v = r.srm.flagged ? 'srm' : (r.primary?.verdict ?? 'insufficient_data');
  const info = verdictInfo(v);
  const control = primary?.arms[0]?.name ?? '';
  const metric = primary ? metricName(primary.metric)[0] : '';
  const sentence = {
    winner: [`${info.arm} 胜出：${metric}率显著高于对照 ${control}。`, `${info.arm} beats control.`],
    loser: [`${info.arm} 落后：${metric}率显著低于对照 ${control}。`, `${info.arm} is worse than control.`],
    none: ['各组之间没有统计上显著的差异。', 'No significant difference between the arms.'],
    insufficient: ['数据不足：尚未达到最小样本，暂不判定胜负。', 'No verdict before the minimum sample.'],
    srm: ['样本比例异常：结果不可信，不判定胜负。', 'The results are untrustworthy.'],
  }[info.kind];
  const basis = r.sequential ? '序贯 p 值 sequential p' : '合并 z 检验 p 值 pooled p';
  const decided = e.autoWinner.decidedArm ? el('p', { class: 'decided' }, el('strong', { text: `自动选优已选出 ${armName(e.autoWinner.decidedArm)}` }), ` Auto-winner decided ${formatTime(e.autoWinner.decidedAt, r.series.timezone)}：`, el('span', { text: e.autoWinner.reason ?? '' })) : null;
  $('verdict-box').replaceChildren(
    ...[
      el('div', { class: 'verdict-line' }, el('span', { class: 'verdict-label', text: '主要目标结论 Primary verdict' }), verdictBadge(v), el('span', { class: `verdict-text ${info.kind}` }, ...bi(sentence))),
      el('p', { class: 'muted' }, `主要目标 Primary goal：${primary ? metricName(primary.metric).join(' ') : '—'} · 判定依据 Decided on：${basis}，Holm 校正（全部目标）Holm across arms × goals · α = ${r.alpha}`),
      decided,
    ].filter(Boolean),
  );
}

function renderSrm(r) {
  const box = $('srm-banner');
  box.hidden = !r.srm.flagged;
  if (!r.srm.flagged) return box.replaceChildren();
  const total = r.arms.reduce((s, a) => s + a.weight, 0);
  box.replaceChildren(
    el('strong', { text: '样本比例异常 Sample-ratio mismatch (SRM)' }),
    el('p', { text: `实际分组 ${r.arms.map((a) => `${armName(a.name)} ${count(a.units)}`).join(' : ')}，设定比例 ${r.arms.map((a) => `${Math.round((a.weight / total) * 1000) / 10}%`).join(' : ')}（χ² = ${r.srm.chi2.toFixed(2)}，p = ${pText(r.srm.p)} < 0.001）。` }),
    el('p', { text: '分配或追踪可能出了问题：无论 p 值多小，本实验的结论都不可信，自动选优已被阻止。请先排查分组逻辑。' }),
    el('p', { lang: 'en', text: `Observed ${r.arms.map((a) => a.units).join(' : ')} against the intended split (χ² ${r.srm.chi2.toFixed(2)}, p ${pText(r.srm.p)}). Whatever the p-values, do not trust these results; the auto-winner is blocked.` }),
  );
}

function renderInsufficient(r, primary) {
  const box = $('insufficient-banner');
  const show = !r.srm.flagged && (r.primary?.verdict ?? 'insufficient_data') === 'insufficient_data';
  box.hidden = !show;
  if (!show) return box.replaceChildren();
  const size = primary?.sample_size;
  // replaceChildren writes a null child as the text "null": leave the sample-size line out instead.
  box.replaceChildren(
    ...[
      el('strong', { text: '数据不足 Insufficient data' }),
      el('p', { text: `每组至少 ${MIN_SAMPLE.users} 人、${MIN_SAMPLE.conversions} 次转化，且转化最多的一组至少 ${MIN_SAMPLE.largest} 次，才会判定胜负；在此之前不显示胜出。当前：${(primary?.arms ?? []).map((a) => `${armName(a.name)} ${count(a.conversions)} / ${count(a.users)}`).join('，')}。` }),
      size ? el('p', { text: `参考样本量：按对照转化率 ${pct(size.baseline)}，检测相对 ${Math.round(size.mde_relative * 100)}% 的变化（α 0.05，把握度 80%）约需每组 ${count(Math.ceil(size.per_arm))} 人。` }) : null,
      el('p', { lang: 'en', text: 'No winner is named before every arm has 100 units and 25 conversions and the largest arm 150 conversions.' }),
    ].filter(Boolean),
  );
}


function statHeader(row, id, tag) {
  return el(
    'th',
    { scope: 'row', 'data-stat': row.key },
    ...bi(row.label),
    el('button', { type: 'button', class: 'tip', 'aria-describedby': id }, '?', el('span', { class: 'sr-only', text: '说明 About' })),
    el('span', { role: 'tooltip', id, class: 'tip-text', text: row.tip }),
    tag ? el('span', { class: 'used' }, ...bi(tag)) : null,
  );
}

function metricCard(m, index, r) {
  const role = m.role === 'guardrail' ? ['护栏', 'Guardrail'] : m.primary ? ['主要目标', 'Primary goal'] : ['目标', 'Goal'];
  const head = el('tr', {}, el('th', { scope: 'col' }, ...bi(['统计量', 'Statistic'])), ...m.arms.map((a, i) => el('th', { scope: 'col', class: 'num' }, armName(a.name), i === 0 ? el('span', { class: 'muted', text: ' 对照 control' }) : null)));
  const family = (row) => row.key === 'p_holm_family' || row.key === 'p_bh_family';
  const rows = m.comparisons.length ? STAT_ROWS.filter((row) => m.role === 'goal' || !family(row)) : STAT_ROWS.slice(0, 3);
  const body = rows.map((row) =>
    el(
      'tr',
      { 'data-stat': row.key },
      statHeader(row, `tip-${index}-${row.key}`, usedTag(row, m, r.sequential)),
      ...m.arms.map((a, i) => {
        const c = i === 0 ? null : m.comparisons.find((x) => x.arm === a.name);
        return td(row.arm ? row.arm(a) : row.all ? row.all(m, i) : c ? row.cmp(c) : '—', 'num');
      }),
    ),
  );
  const note = m.comparisons.length ? null : el('p', { class: 'muted', text: '有的组还没有样本，暂时无法比较。Some arm has no units yet: nothing to compare.' });
  return el(
    'section',
    { class: 'card metric', 'data-metric': m.metric, 'aria-labelledby': `metric-${index}` },
    el('div', { class: 'card-head' }, el('h2', { id: `metric-${index}` }, ...bi(metricName(m.metric)), ' ', el('span', { class: `badge role ${m.role}` }, ...bi(role))), verdictBadge(m.verdict, m.role)),
    el('div', { class: 'table-wrap' }, el('table', { class: 'stats' }, el('caption', { class: 'sr-only', text: `${metricName(m.metric).join(' ')}：每组统计量 Statistics per arm` }), el('thead', {}, head), el('tbody', {}, body))),
    note,
  );
}


function renderStores(r, metric) {
  $('stores-metric').textContent = `· ${metricName(metric).join(' ')}`;
  const arms = r.metrics.find((m) => m.metric === metric)?.arms ?? [];
  $('store-table').tHead.replaceChildren(
    el('tr', {}, el('th', { scope: 'col' }, ...bi(['门店', 'Store'])), el('th', { scope: 'col', class: 'num' }, ...bi(['人数', 'Units'])), ...arms.map((a) => el('th', { scope: 'col', class: 'num', text: `${armName(a.name)} 转化率` })), el('th', { scope: 'col' }, ...bi(['结论', 'Verdict']))),
  );
  $('store-table').tBodies[0].replaceChildren(
    ...(r.per_store.length
      ? r.per_store.map((s) => {
          const m = s.metrics.find((x) => x.metric === metric);
          return el(
            'tr',
            { 'data-store-id': s.store_id ?? 'none' },
            el('th', { scope: 'row', text: s.store ?? '无门店 No store' }),
            td(count(s.units), 'num'),
            ...arms.map((a) => {
              const x = m?.arms.find((y) => y.name === a.name);
              return td(x ? `${pct(x.rate)}（${count(x.conversions)}/${count(x.users)}）` : '—', 'num');
            }),
            el('td', {}, m ? verdictBadge(m.verdict, m.role) : '—'),
          );
        })
      : [el('tr', {}, el('td', { colspan: String(arms.length + 3), class: 'muted', text: '还没有分配。No units yet.' }))]),
  );
}

function renderConfig(e, r, check) {
  const tz = r.series.timezone;
  const total = e.arms.reduce((s, a) => s + a.weight, 0) + e.holdoutWeight;
  const units = new Map(r.arms.map((a) => [a.name, a]));
  const share = (w) => `${Math.round((w / total) * 1000) / 10}%`;
  const aw = e.autoWinner;
  const items = [
    [['分组与权重', 'Arms and weights'], el('ul', { class: 'plain' }, e.arms.map((a, i) => el('li', {}, el('strong', { text: a.label ?? a.id }), i === 0 ? ' （对照 control）' : '', ` 权重 ${a.weight}（${share(a.weight)}）· 模板 `, el('code', { text: a.templateId }), ` · 分配 ${count(units.get(a.id)?.units)} 人，已发送 ${count(units.get(a.id)?.sent)}`)))],
    [['留出组', 'Holdout'], e.holdoutWeight > 0 ? `权重 ${e.holdoutWeight}（${share(e.holdoutWeight)}），不发送任何消息 · 分配 ${count(units.get(HOLDOUT)?.units)} 人` : '无 None'],
    [['目标指标', 'Goals'], e.goals.map((g, i) => `${metricName(g)[0]}${i === 0 ? '（主要）' : ''}`).join('、')],
    [['护栏指标', 'Guardrails'], e.guardrails.length ? e.guardrails.map((g) => metricName(g)[0]).join('、') : '无 None'],
    [['归因窗口', 'Window'], `曝光后 ${e.windowDays} 天 ${e.windowDays} days after exposure`],
    [['判定用 p 值', 'Decision p-value'], e.sequential ? '序贯 p 值（可随时查看）Sequential' : '合并 z 检验 p 值（只看一次）Pooled'],
    [['开始', 'Start'], formatTime(e.startAt, tz)],
    [['结束', 'End'], e.endAt ? formatTime(e.endAt, tz) : '未设定 Not set'],
    [['停止', 'Stopped'], e.stoppedAt ? formatTime(e.stoppedAt, tz) : '—'],
    [['自动选优', 'Auto-winner'], el('div', {}, el('p', { text: aw.decidedArm ? `已选出 ${armName(aw.decidedArm)}（${formatTime(aw.decidedAt, tz)}）Decided` : aw.enabled ? '已开启，尚未决定 On, not decided' : '未开启 Off' }), aw.reason ? el('p', { class: 'reason', text: `记录的理由 Recorded reason：${aw.reason}` }) : null, !aw.decidedArm && check?.reason ? el('p', { class: 'muted', text: `当前检查 Current check：${check.reason}` }) : null)],
  ];
  if (r.unknown_arm_units > 0) items.push([['未分析', 'Not analysed'], `${count(r.unknown_arm_units)} 人属于已不存在的分组 units of removed arms`]);
  $('config').replaceChildren(...items.flatMap(([label, value]) => [el('dt', {}, ...bi(label)), el('dd', {}, value)]));
}

/* ---------- actions ---------- */

async function exportCsv() {
  const id = state.detail?.experiment.experimentId;
  if (!id) return;
  const res = await request(`/api/experiments/${encodeURIComponent(id)}/results.csv`, { accept: 'text/csv' });
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'experiment.csv';
  saveBlob(blob, name);
  announce(`已导出 ${name} Exported`);
}

function closeStopDialog() {
  const dialog = $('stop-dialog');
  if (dialog.open) dialog.close();
}

async function stopExperiment() {
  const id = state.detail?.experiment.experimentId;
  closeStopDialog();
  if (!id) return;
  let stopped = false;
  try {
    await request(`/api/experiments/${encodeURIComponent(id)}/stop`, { method: 'POST' });
    stopped = true;
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 409)) throw err;
    if (err.status === 403) state.canWrite = false;
    showError(err.status === 403 ? '只有总部管理员和营销人员可以停止实验。Only HQ admins and marketers can stop experiments.' : ERRORS[409]);
  }
  await loadDetail(id);
  if (stopped) announce(`已停止实验 ${id} Stopped`);
}

/* ---------- start ---------- */

async function start() {
  $('to-list').addEventListener('click', (event) => {
    event.preventDefault();
    history.pushState(null, '', location.pathname + location.search);
    route().catch(handle);
  });
  window.addEventListener('hashchange', () => {
    if (shell) route().catch(handle);
  });
  $('metric-select').addEventListener('change', () => {
    state.metric = $('metric-select').value;
    renderSelected();
  });
  $('csv-export').addEventListener('click', () => exportCsv().catch(handle));
  $('stop-open').addEventListener('click', () => $('stop-dialog').showModal());
  $('stop-cancel').addEventListener('click', closeStopDialog);
  $('stop-form').addEventListener('submit', (event) => {
    event.preventDefault();
    stopExperiment().catch(handle);
  });
  window.addEventListener('resize', resizeCharts);
  shell = await mountConsole({ active: 'experiments', title: ['A/B 实验', 'Experiments'] });
  await signIn();
}

start().catch(handle);
