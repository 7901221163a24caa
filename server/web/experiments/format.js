/* Pure helpers of the experiments dashboard: number formats, words for metrics, arms and verdicts, and the rows of a
 * metric's statistics table with their explanations (zh-CN first, English second). No DOM here. */

/** z₀.₉₇₅, exact: the per-arm rate interval uses the same quantile as the engine's CIs. */
const Z975 = 1.959963984540054;
export const HOLDOUT = 'holdout';
/** The decision rules' minimum sample (server/experiments/stats/decision.ts), shown to explain "insufficient data". */
export const MIN_SAMPLE = { users: 100, conversions: 25, largest: 150 };
const METRICS = { reply: ['回复', 'Reply'], click: ['点击', 'Click'], conversion: ['转化', 'Conversion'], friend_added: ['添加好友', 'Friend added'], friend_deleted: ['删除好友', 'Friend deleted'], opted_out: ['退订', 'Opted out'], kf_resolved: ['未转人工解决', 'Resolved without handover'] };

export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
export const pct = (r, digits = 1) => (isNum(r) ? `${(r * 100).toFixed(digits)}%` : '—');
const signed = (x, digits) => (x > 0 ? '+' : x < 0 ? '−' : '') + Math.abs(x).toFixed(digits);
export const pp = (d) => (isNum(d) ? `${signed(d * 100, 2)} pp` : '—');
export const relPct = (r) => (isNum(r) ? `${signed(r * 100, 1)}%` : '—');
export const pText = (p) => (!isNum(p) ? '—' : p !== 0 && p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
export const interval = (ci, fmt) => (ci && isNum(ci[0]) && isNum(ci[1]) ? `[${fmt(ci[0])}, ${fmt(ci[1])}]` : '');
/** A probability: never "100%" or "0%" for what is only very likely or unlikely. */
export const prob = (p) => (!isNum(p) ? '—' : p > 0.999 ? '> 99.9%' : p < 0.001 ? '< 0.1%' : pct(p));
const intFmt = new Intl.NumberFormat('zh-CN');
export const count = (n) => (isNum(n) ? intFmt.format(n) : '—');

/** Wilson score interval of one arm's rate (the engine gives intervals of differences only). */
export function wilson(conversions, n) {
  if (!n) return null;
  const p = conversions / n;
  const z2 = Z975 * Z975;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z975 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export const formatDate = (at) => (at ? new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at)) : '—');
export function formatTime(at, timeZone) {
  if (!at) return '—';
  return new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}

export function metricName(id) {
  if (METRICS[id]) return METRICS[id];
  if (id.startsWith('conversion:')) return [`转化·${id.slice(11)}`, `Conversion ${id.slice(11)}`];
  if (id.startsWith('tag:')) return [`打上标签 ${id.slice(4)}`, `Tagged ${id.slice(4)}`];
  return [id, ''];
}
/** Arm id → the label the SOP or campaign gave it, for the experiment on screen (setArmLabels). */
let armLabels = new Map();
export const setArmLabels = (arms) => {
  armLabels = new Map((arms ?? []).map((a) => [a.id, a.label ?? a.id]));
};
export const armName = (name, labels = armLabels) => (name === HOLDOUT ? '留出组（不发送）' : (labels.get(name) ?? name));

/**
 * The verdict as a badge. Winner and loser badges only ever come from the server's verdict, which is
 * `insufficient_data` below the minimum sample and `srm` on a mismatch, whatever the p-values say.
 */
export function verdictInfo(verdict, role = 'goal') {
  if (!verdict) return { kind: 'insufficient', text: ['数据不足', 'Insufficient data'] };
  if (verdict === 'insufficient_data') return { kind: 'insufficient', text: ['数据不足', 'Insufficient data'] };
  if (verdict === 'srm') return { kind: 'srm', text: ['样本比例异常', 'SRM'] };
  if (verdict === 'no_difference') return { kind: 'none', text: ['无显著差异', 'No difference'] };
  const arm = armName(verdict.slice(verdict.indexOf(':') + 1));
  const up = verdict.startsWith('winner:');
  if (role === 'guardrail') return up ? { kind: 'harm', arm, text: ['护栏变差', 'Guardrail worse'] } : { kind: 'none', arm, text: ['护栏更低', 'Guardrail lower'] };
  return up ? { kind: 'winner', arm, text: ['胜出', 'Winner'] } : { kind: 'loser', arm, text: ['落后', 'Loser'] };
}
/** Rows of a metric's statistics table: label, tooltip (zh-CN, then English) and the value per arm. */
export const STAT_ROWS = [
  { key: 'users', label: ['样本数 n', 'Units'], tip: '分到该组的客户数（按分配计算，而不是按员工确认发送计算，避免追踪偏差）。Units assigned to the arm.', arm: (a) => count(a.users) },
  { key: 'conversions', label: ['转化数', 'Conversions'], tip: '在归因窗口内（曝光后若干天）发生该结果的客户数，每人最多计一次。Units with the outcome within the window.', arm: (a) => count(a.conversions) },
  { key: 'rate', label: ['转化率', 'Rate'], tip: '转化数 ÷ 样本数，括号内为该组转化率的 95% 置信区间（Wilson）。Conversions ÷ units, with a 95% Wilson interval.', arm: (a) => `${pct(a.rate, 2)} ${interval(wilson(a.conversions, a.users), (x) => pct(x, 1))}` },
  { key: 'abs_lift', label: ['绝对提升', 'Absolute lift'], tip: '本组转化率减对照组转化率（百分点），括号内为差值的 95% 置信区间；区间跨过 0 说明可能没有差异。Difference in rate (percentage points) with its 95% CI.', cmp: (c) => `${pp(c.abs_lift)} ${interval(c.ci95_abs, pp)}` },
  { key: 'rel_lift', label: ['相对提升', 'Relative lift'], tip: '绝对提升 ÷ 对照组转化率，括号内为 Welch 方法的 95% 区间；对照为 0 时无法计算。Relative change with its 95% CI (delta method).', cmp: (c) => `${relPct(c.rel_lift)} ${interval(c.ci95_rel, relPct)}` },
  { key: 'z_pooled', label: ['z 值', 'z (pooled)'], tip: '两比例 z 检验的统计量（合并方差）；绝对值越大差异越明显。Two-proportion z statistic.', cmp: (c) => (isNum(c.z_pooled) ? `${c.z_pooled < 0 ? '−' : ''}${Math.abs(c.z_pooled).toFixed(3)}` : '—') },
  { key: 'p_pooled', label: ['p 值（合并）', 'p pooled'], tip: '合并方差的两比例 z 检验 p 值。只在实验结束时看一次才有效，反复查看会增加误报。Valid for one look at the end.', cmp: (c) => pText(c.p_pooled) },
  { key: 'p_unpooled', label: ['p 值（非合并）', 'p unpooled'], tip: '不合并方差的 Wald 检验 p 值，与上面的置信区间对应。Wald test, matching the CI.', cmp: (c) => pText(c.p_unpooled) },
  { key: 'p_welch_rel', label: ['p 值（相对提升）', 'p relative (Welch)'], tip: '相对提升的 Welch t 检验 p 值（GrowthBook 方法）。Welch t-test of the relative lift.', cmp: (c) => pText(c.p_welch_rel) },
  { key: 'p_sequential', label: ['序贯 p 值', 'Sequential p'], tip: '序贯 p 值：可随时查看而不增加误报（始终有效的 p 值），每天看结果时以它为准。Peeking-safe: valid however often you look.', cmp: (c) => pText(c.p_sequential) },
  { key: 'prob_beat_control', label: ['胜过对照的概率', 'P(beat control)'], tip: '贝叶斯视角：本组真实转化率高于对照的概率（Beta(1,1) 先验）。它不是 p 值，高不代表已有足够样本。Bayesian probability the arm beats control.', cmp: (c) => prob(c.prob_beat_control) },
  { key: 'prob_best', label: ['最佳概率', 'P(best)'], tip: '本组是所有组中转化率最高的概率（贝叶斯）。Probability the arm is the best of all arms.', all: (m, i) => prob(m.prob_best[i]) },
  { key: 'p_holm', label: ['Holm 校正 p（本指标）', 'Holm p (this metric)'], tip: '多个实验组同时与对照比较时，用 Holm 方法校正，控制至少一次误报的概率。Holm across the arms of this metric.', cmp: (c) => pText(c.p_holm) },
  { key: 'p_bh', label: ['BH 校正 p（本指标）', 'BH p (this metric)'], tip: 'Benjamini–Hochberg 校正，控制误报在所有“显著”结果中的比例。Benjamini–Hochberg across the arms of this metric.', cmp: (c) => pText(c.p_bh) },
  { key: 'p_holm_family', label: ['Holm 校正 p（全部目标）', 'Holm p (all goals)'], tip: '跨全部实验组 × 全部目标指标做 Holm 校正：目标指标的结论按它是否小于 α 判定。Holm across arms × goals: goal verdicts use it.', cmp: (c) => pText(c.p_holm_family) },
  { key: 'p_bh_family', label: ['BH 校正 p（全部目标）', 'BH p (all goals)'], tip: '跨全部实验组 × 全部目标指标的 Benjamini–Hochberg 校正。Benjamini–Hochberg across arms × goals.', cmp: (c) => pText(c.p_bh_family) },
];

/** The tag of the rows the verdict rests on: the p-value that enters the correction, and the corrected one. */
export function usedTag(row, m, sequential) {
  if (row.key === (sequential ? 'p_sequential' : 'p_pooled')) return ['判定输入', 'decision input'];
  if (row.key === (m.role === 'goal' ? 'p_holm_family' : 'p_holm')) return ['判定依据', 'decides'];
  return null;
}

/** Text for an HTML tooltip (ECharts renders a formatter's string as HTML). */
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
