// The supervision report (行政执法监督报告) on screen and on paper: headline
// figures, the charts (Apache ECharts, SVG renderer: cases and findings per
// agency per month, the share of cases on time per rule, one case's timeline),
// the statistics per agency and the findings with the records that prove them.
// Used by the /reports page (report fetched from the node) and by the
// self-contained report.html that `evidence report` writes (report inlined).
// The report's numbers come from report/model.js; this module only draws.
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { language, t } from '../i18n/index.js';
import { caseTimeline, filterFindings, headline, monthlySeries, onTimeRates, ruleTitle, timeMs } from '../report/model.js';
import { notice } from './components.js';
import { h } from './dom.js';
import { formatCount, formatTime, kindName, shortHash, stageName } from './format.js';

echarts.use([BarChart, LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

const FINDINGS_SHOWN = 200;
const PALETTE = ['#1f5fbf', '#2e9d5b', '#d9822b', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d'];

/** Charts drawn by the last render; disposed before the next one draws. */
let charts = [];

/**
 * @typedef {object} ReportViewState
 * @property {string} rule   findings filter: a rule id or ''
 * @property {string} agency findings filter: an agency id or ''
 * @property {string} text   findings filter: text in the case id or detail
 * @property {string} caseId the case whose timeline is shown ('' = the first)
 */

/** @returns {ReportViewState} */
export function newReportViewState() {
  return { rule: '', agency: '', text: '', caseId: '' };
}

/**
 * @param {any} report @param {ReportViewState} state @param {() => void} update
 * @param {{recordLinks: boolean}} options link record ids to /records/{id} (on a node)
 */
export function reportView(report, state, update, { recordLinks }) {
  const mounts = [];
  const chart = (testid, option) => {
    const element = h('div', { class: 'chart', testid, role: 'img', 'aria-label': t(`report.chart.${testid}`) });
    mounts.push({ element, option });
    return element;
  };
  requestAnimationFrame(() => drawCharts(mounts));
  const timeline = caseTimeline(report, state.caseId || report.timelines[0]?.case_id || '');
  return h(
    'div',
    { class: 'report', testid: 'report' },
    header(report),
    h('section', { class: 'panel' }, h('h2', null, t('report.monthly')), chart('chart-monthly', monthlyOption(report))),
    h('section', { class: 'panel' }, h('h2', null, t('report.onTime')), chart('chart-on-time', onTimeOption(report))),
    agencyTable(report),
    h(
      'section',
      { class: 'panel' },
      h('h2', null, t('report.timeline')),
      timelinePicker(report, state, update, timeline),
      timeline ? chart('chart-timeline', timelineOption(timeline)) : h('p', { class: 'lead' }, t('report.noTimeline')),
    ),
    findingsSection(report, state, update, recordLinks),
    rulesSection(report),
  );
}

function drawCharts(mounts) {
  for (const old of charts) old.dispose();
  charts = [];
  for (const { element, option } of mounts) {
    if (!element.isConnected) continue;
    // The page's language, not the browser's: ECharts otherwise picks its
    // locale (month names of the time axis) from the document or navigator.
    const instance = echarts.init(element, null, { renderer: 'svg', locale: language() === 'en' ? 'EN' : 'ZH' });
    // No animation: the same picture on screen, on paper and in screenshots.
    instance.setOption({ animation: false, ...option });
    charts.push(instance);
  }
}

function percent(rate) {
  return `${(rate * 100).toFixed(1)}%`;
}

function header(report) {
  const top = headline(report);
  const stat = (label, value, testid) => h('div', { class: 'stat' }, h('div', { class: 'stat__label' }, label), h('div', { class: 'stat__value', testid }, value));
  return [
    h('section', { class: 'panel' },
      h('p', { class: 'report__period', testid: 'report-period' },
        t('report.period', { from: report.period.from, to: report.period.to, agency: report.period.agency ?? t('report.allAgencies') })),
      h('div', { class: 'stat-grid stat-grid--4' },
        stat(t('report.cases'), formatCount(top.cases), 'report-cases'),
        stat(t('report.records'), formatCount(top.records), 'report-records'),
        stat(t('report.findings'), formatCount(top.findings), 'report-findings'),
        stat(t('report.keptRate'), percent(top.keptRate), 'report-kept')),
      h('p', { class: 'report__source' },
        t('report.source', { asOf: formatTime(timeMs(report.as_of)), height: report.tree_head.height, size: formatCount(report.tree_head.size), root: shortHash(report.tree_head.root, 8), rules: shortHash(report.rules_sha256, 8) }))),
    report.warnings.map((w) => notice('warning', w)),
  ];
}

function monthlyOption(report) {
  const { months, series } = monthlySeries(report);
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll', itemGap: 28 },
    grid: { left: 48, right: 48, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: months },
    yAxis: [
      { type: 'value', name: t('report.cases'), minInterval: 1 },
      { type: 'value', name: t('report.findings'), minInterval: 1 },
    ],
    series: [
      ...series.map((s) => ({ name: `${s.name} · ${t('report.cases')}`, type: 'bar', stack: 'cases', data: s.cases })),
      ...series.map((s) => ({ name: `${s.name} · ${t('report.findings')}`, type: 'line', yAxisIndex: 1, data: s.findings, symbolSize: 7 })),
    ],
  };
}

function onTimeOption(report) {
  const rows = onTimeRates(report).reverse();
  const lang = language();
  return {
    color: ['#2e9d5b'],
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const row = rows[items[0].dataIndex];
        return `${ruleTitle(report, row.rule, lang)}<br>${percent(row.rate)} (${row.kept} / ${row.applicable})`;
      },
    },
    grid: { left: 8, right: 64, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: rows.map((r) => ruleTitle(report, r.rule, lang)), axisLabel: { width: 260, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => ({ value: Math.round(r.rate * 1000) / 10, itemStyle: { color: r.rate < 0.9 ? '#c0392b' : r.rate < 1 ? '#d9822b' : '#2e9d5b' } })),
        label: { show: true, position: 'right', formatter: (p) => `${p.value}%` },
        barMaxWidth: 22,
      },
    ],
  };
}

/** A day of the time axis in the page's language and Beijing time ("Sep 2", "9月2日"). */
function dayLabel(value) {
  const format = new Intl.DateTimeFormat(language() === 'en' ? 'en' : 'zh-CN', { month: 'short', day: 'numeric', timeZone: 'Asia/Shanghai' });
  return format.format(value);
}

function timelineOption(timeline) {
  const rows = timeline.stages;
  const flagged = timeline.points.filter((p) => p.rules.length > 0);
  const dues = timeline.findings.filter((f) => f.due).map((f) => ({ xAxis: timeMs(f.due), name: t(`rule.short.${f.rule}`) }));
  const point = (p, time) => [time, rows.indexOf(p.stage), p];
  return {
    color: ['#1f5fbf', '#9aa6b5', '#c0392b'],
    legend: { top: 0, itemGap: 28 },
    tooltip: {
      trigger: 'item',
      formatter: (item) => {
        const p = item.data[2];
        return `${stageName(p.stage)} · ${kindName(p.kind)}<br>${t('report.act')}: ${formatTime(p.timeMs)}<br>${t('report.committed')}: ${formatTime(p.committedMs)} (${p.lagHours} h)${p.rules.length ? '<br>' + p.rules.map((r) => t(`rule.short.${r}`)).join('<br>') : ''}`;
      },
    },
    grid: { left: 8, right: 32, top: 56, bottom: 32, containLabel: true },
    // A few days of margin so that no dot sits on an axis.
    xAxis: { type: 'time', min: (range) => range.min - 5 * 86_400_000, max: (range) => range.max + 5 * 86_400_000, axisLabel: { hideOverlap: true, formatter: dayLabel } },
    yAxis: { type: 'category', data: rows.map(stageName), inverse: true },
    series: [
      {
        name: t('report.act'),
        type: 'scatter',
        symbolSize: 13,
        data: timeline.points.map((p) => point(p, p.timeMs)),
        markLine: dues.length
          ? { symbol: 'none', lineStyle: { color: '#c0392b', type: 'dashed' }, label: { position: 'start', color: '#c0392b', formatter: (d) => `${t('report.due')} ${d.name}` }, data: dues }
          : undefined,
      },
      { name: t('report.committed'), type: 'scatter', symbol: 'diamond', symbolSize: 9, data: timeline.points.map((p) => point(p, p.committedMs)) },
      { name: t('report.flagged'), type: 'scatter', symbolSize: 20, symbol: 'circle', itemStyle: { color: 'rgba(192,57,43,0.25)', borderColor: '#c0392b', borderWidth: 2 }, data: flagged.map((p) => point(p, p.timeMs)) },
    ],
  };
}

function timelinePicker(report, state, update, timeline) {
  if (report.timelines.length === 0) return null;
  const select = h(
    'select',
    { testid: 'timeline-case', on: { change: () => { state.caseId = select.value; update(); } } },
    report.timelines.map((tl) => h('option', { value: tl.case_id, selected: timeline?.caseId === tl.case_id }, `${tl.case_id} (${tl.rules.map((r) => t(`rule.short.${r}`)).join('、')})`)),
  );
  return h('label', { class: 'report__picker' }, t('report.pickCase'), select);
}

function agencyTable(report) {
  const lang = language();
  const rules = report.rules.filter((r) => r.enabled);
  const row = (stats, name) =>
    h('tr', null,
      h('td', null, name),
      h('td', { class: 'num' }, formatCount(stats.cases)),
      h('td', { class: 'num' }, formatCount(stats.records)),
      rules.map((r) => h('td', { class: ['num', stats.findings[r.id] > 0 && 'bad'] }, formatCount(stats.findings[r.id]))),
      h('td', { class: 'num' }, formatCount(stats.findings_total)));
  return h('section', { class: 'panel' },
    h('h2', null, t('report.byAgency')),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'data', testid: 'agency-table' },
        h('thead', null, h('tr', null, h('th', null, t('report.agency')), h('th', null, t('report.cases')), h('th', null, t('report.records')), rules.map((r) => h('th', { class: ['rule', 'num'], title: ruleTitle(report, r.id, lang) }, t(`rule.short.${r.id}`))), h('th', null, t('report.findings')))),
        h('tbody', null, report.summary.agencies.map((a) => row(a, a.name)), row(report.summary.totals, t('report.total'))))));
}

function findingsSection(report, state, update, recordLinks) {
  const lang = language();
  const shown = filterFindings(report.findings, state);
  const ruleSelect = h('select', { testid: 'findings-rule', on: { change: () => { state.rule = ruleSelect.value; update(); } } },
    h('option', { value: '' }, t('report.allRules')),
    report.rules.filter((r) => r.enabled).map((r) => h('option', { value: r.id, selected: state.rule === r.id }, ruleTitle(report, r.id, lang))));
  const search = h('input', { type: 'search', value: state.text, placeholder: t('report.search'), testid: 'findings-search', on: { change: () => { state.text = search.value; update(); } } });
  const record = (id) => (recordLinks ? h('a', { href: `/records/${id}`, class: 'mono' }, shortHash(id, 8)) : h('span', { class: 'mono', title: id }, shortHash(id, 8)));
  return h('section', { class: 'panel' },
    h('h2', null, t('report.findingsTitle', { count: formatCount(report.findings_total) })),
    report.findings_truncated ? notice('warning', t('report.truncated', { shown: formatCount(report.findings.length) })) : null,
    h('div', { class: 'report__filters' }, ruleSelect, search),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'data', testid: 'findings-table' },
        h('thead', null, h('tr', null, ['report.rule', 'report.caseId', 'report.agency', 'report.when', 'report.detail', 'report.proof'].map((k) => h('th', null, t(k))))),
        h('tbody', null,
          shown.slice(0, FINDINGS_SHOWN).map((f) =>
            h('tr', null,
              h('td', null, ruleTitle(report, f.rule, lang)),
              h('td', null, h('a', { href: '#', on: { click: (e) => { e.preventDefault(); state.caseId = f.case_id; update(); } } }, f.case_id)),
              h('td', null, f.agency),
              h('td', { class: 'nowrap' }, formatTime(timeMs(f.time))),
              h('td', null, lang === 'en' ? f.detail : f.detail_zh),
              h('td', null, f.records.map((id) => h('div', null, record(id))))))))),
    shown.length > FINDINGS_SHOWN ? h('p', { class: 'lead' }, t('report.more', { count: formatCount(shown.length - FINDINGS_SHOWN) })) : null);
}

function rulesSection(report) {
  const lang = language();
  return h('section', { class: 'panel panel--quiet' },
    h('details', null,
      h('summary', null, t('report.basis')),
      h('dl', { class: 'facts facts--compact' },
        report.rules.map((r) => h('div', { class: 'facts__row' },
          h('dt', null, ruleTitle(report, r.id, lang), h('span', { class: 'facts__note' }, r.enabled ? r.threshold : t('report.disabled'))),
          h('dd', null, r.basis))))));
}
