// The supervision report (report.json of GET /v1/reports/supervision and
// `evidence report`; docs/supervision.md) shaped for the tables and charts of the
// report page. Pure: report JSON in, plain data out; no DOM, no network, no clock.

/** Milliseconds of an RFC 3339 time as the report writes it. @param {string} text */
export function timeMs(text) {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${text}`);
  return ms;
}

/**
 * A rule's title in a language (the rules file has both); its id when unknown.
 * @param {any} report @param {string} ruleId @param {string} language "zh-CN" or "en"
 */
export function ruleTitle(report, ruleId, language) {
  const rule = report.rules.find((r) => r.id === ruleId);
  if (!rule) return ruleId;
  return language === 'en' ? rule.title_en : rule.title_zh;
}

/** The ids of the rules the report ran, in the rules file's order. @param {any} report */
export function enabledRules(report) {
  return report.rules.filter((r) => r.enabled).map((r) => r.id);
}

/**
 * Cases opened and findings made per agency per month of the period.
 * @param {any} report
 * @returns {{months: string[], series: {agency: string, name: string, cases: number[], findings: number[]}[]}}
 */
export function monthlySeries(report) {
  const months = report.months.map((m) => m.month);
  const names = new Map(report.summary.agencies.map((a) => [a.agency, a.name]));
  for (const month of report.months) for (const agency of Object.keys(month.agencies)) if (!names.has(agency)) names.set(agency, agency);
  const series = [...names].map(([agency, name]) => ({
    agency,
    name,
    cases: report.months.map((m) => m.agencies[agency]?.cases ?? 0),
    findings: report.months.map((m) => m.agencies[agency]?.findings ?? 0),
  }));
  return { months, series };
}

/**
 * The share of cases that kept each enabled rule (all agencies, or one), with
 * the counts behind it; rules that applied to no case are left out.
 * @param {any} report @param {string|null} [agency]
 * @returns {{rule: string, applicable: number, kept: number, rate: number}[]}
 */
export function onTimeRates(report, agency = null) {
  const stats = agency ? report.summary.agencies.find((a) => a.agency === agency) : report.summary.totals;
  if (!stats) return [];
  return enabledRules(report)
    .map((rule) => ({ rule, ...stats.on_time[rule] }))
    .filter((row) => row.applicable > 0)
    .map(({ rule, applicable, kept, rate }) => ({ rule, applicable, kept, rate }));
}

/** Findings per rule over all agencies. @param {any} report @returns {{rule: string, count: number}[]} */
export function findingsPerRule(report) {
  return enabledRules(report).map((rule) => ({ rule, count: report.summary.totals.findings[rule] ?? 0 }));
}

/**
 * The findings that match a filter: a rule, an agency, and text in the case id
 * or detail (case-insensitive).
 * @param {any[]} findings @param {{rule?: string, agency?: string, text?: string}} filter
 */
export function filterFindings(findings, { rule = '', agency = '', text = '' } = {}) {
  const needle = text.trim().toLowerCase();
  return findings.filter(
    (f) =>
      (!rule || f.rule === rule) &&
      (!agency || f.agency === agency) &&
      (!needle || f.case_id.toLowerCase().includes(needle) || f.detail.toLowerCase().includes(needle) || f.detail_zh.includes(needle)),
  );
}

/**
 * One case's timeline: its records in time order with the hours from act to
 * commit, the rules whose findings cite each record, and the stages in the
 * order they first occur (the chart's rows).
 * @param {any} report @param {string} caseId
 * @returns {{caseId: string, owner: string, stages: string[], points: {id: string, kind: string, stage: string, agency: string, timeMs: number, committedMs: number, lagHours: number, rules: string[]}[], findings: any[]}|null}
 */
export function caseTimeline(report, caseId) {
  const timeline = report.timelines.find((t) => t.case_id === caseId);
  if (!timeline) return null;
  const findings = report.findings.filter((f) => f.case_id === caseId);
  const points = timeline.records
    .map((r) => {
      const timeMsValue = timeMs(r.time);
      const committedMs = timeMs(r.committed);
      return {
        id: r.id,
        kind: r.kind,
        stage: r.stage,
        agency: r.agency,
        timeMs: timeMsValue,
        committedMs,
        lagHours: Math.round(((committedMs - timeMsValue) / 3_600_000) * 10) / 10,
        rules: findings.filter((f) => f.records.includes(r.id)).map((f) => f.rule),
      };
    })
    .sort((a, b) => a.timeMs - b.timeMs);
  const stages = [];
  for (const point of points) if (!stages.includes(point.stage)) stages.push(point.stage);
  return { caseId, owner: timeline.owner, stages, points, findings };
}

/** Total cases, records and findings, and the share of applicable checks kept. @param {any} report */
export function headline(report) {
  const totals = report.summary.totals;
  let applicable = 0;
  let kept = 0;
  for (const rule of enabledRules(report)) {
    applicable += totals.on_time[rule]?.applicable ?? 0;
    kept += totals.on_time[rule]?.kept ?? 0;
  }
  return {
    cases: totals.cases,
    records: totals.records,
    findings: report.findings_total,
    keptRate: applicable === 0 ? 1 : kept / applicable,
  };
}
