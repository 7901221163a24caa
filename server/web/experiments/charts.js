/* The experiments dashboard's ECharts charts: each arm's rate with its 95% interval (bars and whiskers drawn by a
 * custom series) and the cumulative daily rate per arm. ECharts is the global from /vendor/echarts.min.js. */
/* global window */
import { HOLDOUT, armName, count, escapeHtml, interval, isNum, pct, wilson } from './format.js';

/** Arm colours: control grey, variants neutral hues (green and red mean winner and loser elsewhere on the page). */
const ARM_COLORS = ['#86909c', '#1664ff', '#f79009', '#7a5af8', '#0fc6c2', '#eb2f96'];
const charts = new Map();
const percent = (x) => (isNum(x) ? Math.round(x * 10000) / 100 : '-');
const armColor = (name, i, holdout) => (name === HOLDOUT ? holdout : ARM_COLORS[i % ARM_COLORS.length]);

function chart(dom, option) {
  const instance = charts.get(dom.id) ?? window.echarts.init(dom, null, { renderer: 'canvas', locale: 'ZH' });
  charts.set(dom.id, instance);
  instance.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...option }, true);
  instance.resize();
}

/** Bars of each arm's rate with whiskers of its 95% Wilson interval. */
export function rateChart(dom, m) {
  const rows = m.arms.map((a, i) => ({ ...a, ci: wilson(a.conversions, a.users), color: armColor(a.name, i, '#c9cdd4') }));
  chart(dom, {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const a = rows[items[0]?.dataIndex ?? 0];
        return a ? `${escapeHtml(armName(a.name))}<br>转化率 ${pct(a.rate, 2)}（${count(a.conversions)} / ${count(a.users)}）<br>95% 区间 ${interval(a.ci, (x) => pct(x, 2)) || '—'}` : '';
      },
    },
    grid: { left: 56, right: 16, top: 24, bottom: 40 },
    xAxis: { type: 'category', data: rows.map((a) => armName(a.name)) },
    yAxis: { type: 'value', min: 0, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: '转化率 Rate', type: 'bar', barMaxWidth: 64, data: rows.map((a) => ({ value: percent(a.rate), itemStyle: { color: a.color } })), label: { show: true, position: 'right', color: '#1d2129', formatter: (p) => (p.value === '-' ? '' : `${p.value}%`) } },
      {
        name: '95% 区间 interval',
        type: 'custom',
        encode: { x: 0, y: [1, 2] },
        data: rows.map((a, i) => [i, percent(a.ci?.[0]), percent(a.ci?.[1])]),
        z: 10,
        renderItem: (_params, api) => {
          if (api.value(1) === '-' || isNaN(api.value(1))) return null;
          const low = api.coord([api.value(0), api.value(1)]);
          const high = api.coord([api.value(0), api.value(2)]);
          const half = api.size([1, 0])[0] * 0.1;
          const style = { stroke: '#1d2129', lineWidth: 2 };
          return {
            type: 'group',
            children: [
              { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
              { type: 'line', shape: { x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1] }, style },
              { type: 'line', shape: { x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1] }, style },
            ],
          };
        },
      },
    ],
  });
}

/** Lines of each arm's cumulative rate at the end of each local day. */
export function seriesChart(dom, series, metric) {
  const arms = series.metrics[metric] ?? [];
  chart(dom, {
    tooltip: { trigger: 'axis', valueFormatter: (v) => (isNum(v) ? `${v}%` : '—') },
    legend: { top: 0, data: arms.map((a) => armName(a.arm)) },
    grid: { left: 56, right: 16, top: 36, bottom: 40 },
    xAxis: { type: 'category', boundaryGap: false, data: series.days.map((d) => d.slice(5)) },
    yAxis: { type: 'value', min: 0, axisLabel: { formatter: '{value}%' } },
    series: arms.map((a, i) => ({
      name: armName(a.arm),
      type: 'line',
      showSymbol: series.days.length <= 31,
      itemStyle: { color: armColor(a.arm, i, '#a9aeb8') },
      data: a.rate.map(percent),
    })),
  });
}

export function resizeCharts() {
  for (const c of charts.values()) c.resize();
}
