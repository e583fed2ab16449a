import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseTimeline, enabledRules, filterFindings, findingsPerRule, headline, monthlySeries, onTimeRates, ruleTitle, timeMs } from '../../src/report/model.js';

const onTime = (applicable, kept) => ({ applicable, kept, rate: applicable === 0 ? 1 : kept / applicable });
const stats = (cases, records, findings, on) => ({ cases, records, findings, findings_total: Object.values(findings).reduce((a, b) => a + b, 0), on_time: on });

// A report shaped as supervision/report.h writes it (docs/supervision.md).
const REPORT = {
  format: 'evidence-supervision-report/1',
  period: { from: '2026-01-01', to: '2026-03-31', agency: null },
  as_of: '2026-06-01T10:00:00+08:00',
  tree_head: { height: 7, size: 42, root: 'a'.repeat(64) },
  rules_sha256: 'b'.repeat(64),
  rules: [
    { id: 'decision_within_90_days', title_zh: '立案之日起九十日内作出行政处罚决定', title_en: 'Decision within 90 days of filing', basis: '第六十条', enabled: true, threshold: '90 days' },
    { id: 'service_within_7_working_days', title_zh: '决定后七个工作日内送达', title_en: 'Service within 7 working days of the decision', basis: '第六十一条', enabled: true, threshold: '7 working days' },
    { id: 'late_recording', title_zh: '未实时留痕', title_en: 'Recorded late', basis: '第四十七条', enabled: false, threshold: '24 hours' },
  ],
  summary: {
    agencies: [
      { agency: 'a', name: '甲局', ...stats(2, 8, { decision_within_90_days: 1, service_within_7_working_days: 0, late_recording: 0 }, { decision_within_90_days: onTime(2, 1), service_within_7_working_days: onTime(2, 2), late_recording: onTime(0, 0) }) },
      { agency: 'b', name: '乙局', ...stats(1, 4, { decision_within_90_days: 0, service_within_7_working_days: 1, late_recording: 0 }, { decision_within_90_days: onTime(1, 1), service_within_7_working_days: onTime(1, 0), late_recording: onTime(0, 0) }) },
    ],
    totals: stats(3, 12, { decision_within_90_days: 1, service_within_7_working_days: 1, late_recording: 0 }, { decision_within_90_days: onTime(3, 2), service_within_7_working_days: onTime(3, 2), late_recording: onTime(0, 0) }),
  },
  months: [
    { month: '2026-01', agencies: { a: { cases: 1, findings: 0 } } },
    { month: '2026-02', agencies: { a: { cases: 1, findings: 0 }, b: { cases: 1, findings: 1 } } },
    { month: '2026-03', agencies: {} },
  ],
  findings: [
    { rule: 'service_within_7_working_days', case_id: '(2026)鲁0831行罚2号', agency: 'b', records: ['03', '04'], time: '2026-02-20T10:00:00+08:00', due: '2026-02-19T00:00:00+08:00', detail: 'service on 2026-02-20, late', detail_zh: '送达超期' },
    { rule: 'decision_within_90_days', case_id: '(2026)鲁0831行罚1号', agency: 'a', records: ['01', '02'], time: '2026-05-20T10:00:00+08:00', due: '2026-05-04T00:00:00+08:00', detail: 'decision on 2026-05-20, late', detail_zh: '决定超期' },
  ],
  findings_total: 2,
  findings_truncated: false,
  timelines: [
    {
      case_id: '(2026)鲁0831行罚1号',
      owner: 'a',
      rules: ['decision_within_90_days'],
      records: [
        { id: '02', kind: 'enforcement_record', stage: 'decision', agency: 'a', time: '2026-05-20T10:00:00+08:00', committed: '2026-05-20T11:30:00+08:00' },
        { id: '01', kind: 'enforcement_record', stage: 'filing', agency: 'a', time: '2026-02-02T10:00:00+08:00', committed: '2026-02-02T10:06:00+08:00' },
        { id: '05', kind: 'enforcement_record', stage: 'filing', agency: 'a', time: '2026-02-03T09:00:00+08:00', committed: '2026-02-03T09:01:00+08:00' },
      ],
    },
  ],
  warnings: [],
};

test('rule titles in both languages, and the rules that ran', () => {
  assert.equal(ruleTitle(REPORT, 'decision_within_90_days', 'zh-CN'), '立案之日起九十日内作出行政处罚决定');
  assert.equal(ruleTitle(REPORT, 'decision_within_90_days', 'en'), 'Decision within 90 days of filing');
  assert.equal(ruleTitle(REPORT, 'no_such_rule', 'en'), 'no_such_rule');
  assert.deepEqual(enabledRules(REPORT), ['decision_within_90_days', 'service_within_7_working_days']);
});

test('cases and findings per agency per month, zero where an agency had none', () => {
  const { months, series } = monthlySeries(REPORT);
  assert.deepEqual(months, ['2026-01', '2026-02', '2026-03']);
  assert.deepEqual(series, [
    { agency: 'a', name: '甲局', cases: [1, 1, 0], findings: [0, 0, 0] },
    { agency: 'b', name: '乙局', cases: [0, 1, 0], findings: [0, 1, 0] },
  ]);
});

test('on-time shares of the rules that applied, for all agencies or one', () => {
  assert.deepEqual(onTimeRates(REPORT), [
    { rule: 'decision_within_90_days', applicable: 3, kept: 2, rate: 2 / 3 },
    { rule: 'service_within_7_working_days', applicable: 3, kept: 2, rate: 2 / 3 },
  ]);
  assert.deepEqual(onTimeRates(REPORT, 'b').map((r) => r.rate), [1, 0]);
  assert.deepEqual(onTimeRates(REPORT, 'nobody'), []);
  assert.deepEqual(findingsPerRule(REPORT), [
    { rule: 'decision_within_90_days', count: 1 },
    { rule: 'service_within_7_working_days', count: 1 },
  ]);
});

test('findings filtered by rule, agency and text', () => {
  assert.equal(filterFindings(REPORT.findings, {}).length, 2);
  assert.equal(filterFindings(REPORT.findings, { rule: 'decision_within_90_days' })[0].case_id, '(2026)鲁0831行罚1号');
  assert.equal(filterFindings(REPORT.findings, { agency: 'b' }).length, 1);
  assert.equal(filterFindings(REPORT.findings, { text: '行罚2' }).length, 1);
  assert.equal(filterFindings(REPORT.findings, { text: 'LATE' }).length, 2);
  assert.equal(filterFindings(REPORT.findings, { text: '送达' }).length, 1);
});

test("a case's timeline: records in time order, stages in first-seen order, the cited ones marked", () => {
  const timeline = caseTimeline(REPORT, '(2026)鲁0831行罚1号');
  assert.deepEqual(timeline.stages, ['filing', 'decision']);
  assert.deepEqual(timeline.points.map((p) => p.id), ['01', '05', '02']);
  assert.deepEqual(timeline.points.map((p) => p.rules), [['decision_within_90_days'], [], ['decision_within_90_days']]);
  assert.equal(timeline.points[2].lagHours, 1.5);
  assert.equal(timeline.points[0].timeMs, Date.UTC(2026, 1, 2, 2, 0, 0));
  assert.equal(timeline.findings.length, 1);
  assert.equal(caseTimeline(REPORT, 'no such case'), null);
});

test('headline figures, and times as the report writes them', () => {
  assert.deepEqual(headline(REPORT), { cases: 3, records: 12, findings: 2, keptRate: 4 / 6 });
  assert.equal(timeMs('2026-01-01T08:00:00+08:00'), Date.UTC(2026, 0, 1));
  assert.throws(() => timeMs('soon'), /RFC 3339/);
});
