// The supervision report page (/reports) for the justice bureau's supervision
// office (司法局行政执法监督机构): with a reader token whose role may read
// reports (kept in this tab), GET /v1/reports/supervision for a period and an
// optional agency, then the report as report_view.js draws it, and the
// report.json to save. The period travels in the URL fragment (#from=...&to=...).
import { getSupervisionReport } from '../api.js';
import { t } from '../i18n/index.js';
import { jsonDownload, notice } from './components.js';
import { h } from './dom.js';
import { loadTrustInto } from './genesis_panel.js';
import { readerToken, setReaderToken } from './reader.js';
import { newReportViewState, reportView } from './report_view.js';

/** YYYY-MM-DD of a time in Beijing (UTC+8). @param {number} ms */
function beijingDate(ms) {
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function reportsPage() {
  const params = new URLSearchParams(location.hash.slice(1));
  const today = beijingDate(Date.now());
  const state = {
    from: params.get('from') ?? `${today.slice(0, 4)}-01-01`,
    to: params.get('to') ?? today,
    agency: params.get('agency') ?? '',
    loading: false,
    error: /** @type {string|null} */ (null),
    report: /** @type {any} */ (null),
    view: newReportViewState(),
  };

  /** @param {import('./layout.js').PageContext} ctx */
  async function load(ctx) {
    const token = readerToken();
    if (!token) return;
    Object.assign(state, { loading: true, error: null, report: null, view: newReportViewState() });
    const fragment = new URLSearchParams({ from: state.from, to: state.to, ...(state.agency ? { agency: state.agency } : {}) });
    history.replaceState(null, '', `#${fragment}`);
    ctx.update();
    const answer = await getSupervisionReport(state, token);
    state.loading = false;
    if (answer.ok) {
      state.report = answer.data;
    } else {
      state.error =
        answer.status === 401 ? t('reports.unauthorized') : answer.status === 403 ? t('reports.forbidden') : answer.status === 429 ? t('reports.busy') : answer.status === 0 ? t('node.unreachable', answer) : t('node.error', answer);
    }
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    const token = readerToken();
    const input = (name, type, value, extra = {}) => h('input', { type, name, value, testid: `reports-${name}`, ...extra });
    const tokenInput = input('token', 'password', token ?? '', { autocomplete: 'off', placeholder: t('reports.tokenPlaceholder') });
    const fromInput = input('from', 'date', state.from, { required: true });
    const toInput = input('to', 'date', state.to, { required: true });
    const agencyInput = input('agency', 'text', state.agency, { placeholder: t('reports.agencyPlaceholder') });
    const form = h(
      'form',
      {
        class: 'form form--report',
        on: {
          submit: (event) => {
            event.preventDefault();
            setReaderToken(tokenInput.value.trim() || null);
            Object.assign(state, { from: fromInput.value, to: toInput.value, agency: agencyInput.value.trim() });
            load(ctx);
          },
        },
      },
      h('label', null, t('reports.token'), tokenInput),
      h('label', null, t('reports.from'), fromInput),
      h('label', null, t('reports.to'), toInput),
      h('label', null, t('reports.agency'), agencyInput),
      h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit', testid: 'reports-submit' }, t('reports.submit'))),
    );
    return [
      h('section', { class: 'intro' }, h('h1', null, t('reports.title')), h('p', { class: 'lead' }, t('reports.lead'))),
      h('section', { class: 'panel' }, form),
      state.loading ? notice('info', t('reports.loading')) : null,
      state.error ? notice('error', state.error) : null,
      state.report
        ? [
            h('div', { class: 'actions report__actions' }, jsonDownload(state.report, 'report.json', t('reports.download'))),
            reportView(state.report, state.view, ctx.update, { recordLinks: true }),
          ]
        : null,
    ];
  }

  /** @param {import('./layout.js').PageContext} ctx */
  async function start(ctx) {
    await loadTrustInto(ctx);  // the footer names the chain and its genesis fingerprint
    await load(ctx);
  }

  return { view, start, wide: true };
}
