// The self-contained report.html that `evidence report` writes: the report is
// inlined in <script id="report-data" type="application/json"> and drawn by
// report_view.js with no network at all (the file opens offline, from a USB
// stick or an e-mail attachment).
import { t } from '../i18n/index.js';
import { notice } from './components.js';
import { h } from './dom.js';
import { newReportViewState, reportView } from './report_view.js';

export function reportFilePage() {
  let report = null;
  let error = null;
  try {
    report = JSON.parse(document.getElementById('report-data')?.textContent || 'null');
    if (!report || report.format !== 'evidence-supervision-report/1') throw new Error('no report in this file');
  } catch (e) {
    error = String(e?.message ?? e);
  }
  const state = newReportViewState();

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    return [
      h('section', { class: 'intro' }, h('h1', null, t('report.title')), h('p', { class: 'lead' }, t('report.lead'))),
      error ? notice('error', t('report.broken', { detail: error })) : reportView(report, state, ctx.update, { recordLinks: false }),
    ];
  }
  return { view, offline: true, wide: true };
}
