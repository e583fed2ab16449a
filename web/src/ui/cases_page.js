// The case trail (/cases) for readers: with a reader's token (kept in this tab),
// GET /v1/cases/{case} and show the records as a timeline in ledger order:
// stages, each record's status and its receipt verified here, and the links
// between records (a record's `links` name the earlier records it answers) drawn
// as arcs beside the timeline. The case id travels in the URL fragment
// (#case=...), which browsers never send to the node.
import { getCase } from '../api.js';
import { t } from '../i18n/index.js';
import { verifyReceipt } from '../verify/index.js';
import { existedBy, notice, recordChips } from './components.js';
import { recordPath, stageName } from './format.js';
import { h, svg } from './dom.js';
import { loadTrustInto, trustNotices } from './genesis_panel.js';
import { readerToken, setReaderToken } from './reader.js';

export function casesPage() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('case');
  // tokenDraft and caseId follow the inputs as they are typed: a render (the
  // genesis arriving, a change of language) rebuilds the form and must not
  // wipe what the reader typed.
  /** @type {{caseId: string, tokenDraft: string|null, loading: boolean, error: string|null, trail: any, items: any[]}} */
  const state = { caseId: fromHash ?? '', tokenDraft: null, loading: false, error: null, trail: null, items: [] };

  /** @param {import('./layout.js').PageContext} ctx */
  async function start(ctx) {
    await loadTrustInto(ctx);
    if (state.caseId && readerToken()) await lookUp(ctx);
  }

  /** @param {import('./layout.js').PageContext} ctx */
  async function lookUp(ctx) {
    const genesis = ctx.trust?.genesis;
    const token = readerToken();
    if (!genesis || !token || !state.caseId) return;
    Object.assign(state, { loading: true, error: null, trail: null, items: [] });
    history.replaceState(null, '', `#case=${encodeURIComponent(state.caseId)}`);
    ctx.update();
    const answer = await getCase(state.caseId, token);
    if (!answer.ok) {
      const message =
        answer.status === 401 ? t('cases.unauthorized') : answer.status === 403 ? t('cases.forbidden') : answer.status === 404 ? t('cases.notFound') : answer.status === 0 ? t('node.unreachable', answer) : t('node.error', answer);
      Object.assign(state, { loading: false, error: message });
      return ctx.update();
    }
    state.trail = answer.data;
    state.items = answer.data.records.map((view) => ({
      view,
      verdict: view.status === 'committed' && view.receipt ? verifyReceipt(view.receipt, genesis, null) : null,
    }));
    state.loading = false;
    ctx.update();
    requestAnimationFrame(drawLinks);
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    const token = readerToken();
    const tokenInput = h('input', {
      type: 'password', name: 'token', autocomplete: 'off', placeholder: t('cases.tokenPlaceholder'), value: state.tokenDraft ?? token ?? '', testid: 'reader-token',
      on: { input: () => { state.tokenDraft = tokenInput.value; } },
    });
    const caseInput = h('input', {
      type: 'text', name: 'case', placeholder: t('cases.caseIdPlaceholder'), value: state.caseId, testid: 'case-id',
      on: { input: () => { state.caseId = caseInput.value; } },
    });
    // Receipts are verified against the genesis: until it has loaded there is
    // nothing to look up with, so the button waits for it.
    const ready = Boolean(ctx.trust?.genesis);
    const form = h(
      'form',
      {
        class: 'form',
        on: {
          submit: (event) => {
            event.preventDefault();
            setReaderToken(tokenInput.value.trim() || null);
            state.tokenDraft = null;
            state.caseId = caseInput.value.trim();
            lookUp(ctx);
          },
        },
      },
      h('label', null, t('cases.token'), tokenInput),
      h('label', null, t('cases.caseId'), caseInput),
      h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit', disabled: !ready }, t('cases.submit')), token ? h('button', { class: 'button button--secondary', type: 'button', on: { click: () => { setReaderToken(null); ctx.update(); } } }, t('cases.forget')) : null),
    );
    return [
      h('section', { class: 'intro' }, h('h1', null, t('cases.title')), h('p', { class: 'lead' }, t('cases.lead'))),
      trustNotices(ctx),
      h('section', { class: 'panel' }, form),
      state.loading ? notice('info', t('cases.loading')) : null,
      state.error ? notice('error', state.error) : null,
      state.trail ? timeline() : null,
    ];
  }

  function timeline() {
    const byId = new Map(state.items.map((item) => [item.view.id, item.view.record]));
    const ids = new Set(byId.keys());
    const linkLabel = (id) => {
      const linked = byId.get(id);
      return linked ? `${stageName(linked.stage)} · ${linked.title || id.slice(0, 12)}` : `${id.slice(0, 12)}…`;
    };
    return h(
      'section',
      null,
      h('h2', null, t('cases.trail', { caseId: state.trail.case_id, count: state.items.length })),
      h(
        'ol',
        { class: 'timeline', testid: 'timeline' },
        svg('svg', { class: 'timeline__rail', 'aria-hidden': 'true' }),
        state.items.map(({ view, verdict }) => {
          const record = view.record;
          const valid = verdict?.verdict === 'valid';
          return h(
            'li',
            { class: ['timeline__item', `timeline__item--${view.status}`], dataset: { record: view.id, links: record.links.filter((id) => ids.has(id)).join(' ') } },
            h('span', { class: 'timeline__dot' }),
            h(
              'article',
              { class: 'panel' },
              h(
                'div',
                { class: 'timeline__head' },
                recordChips(record, view.status),
                verdict ? h('span', { class: valid ? 'ok' : 'bad', title: verdict.detail }, valid ? `✓ ${t('cases.verified')}` : `✕ ${t('cases.unverified')}`) : null,
              ),
              h('h3', { class: 'timeline__title' }, record.title || record.stage),
              h(
                'div',
                { class: 'muted timeline__time' },
                valid ? [`${t('fact.existedBy')} `, existedBy(verdict.facts.existedByMs, { testid: null }), ` · ${verdict.facts.agency.name}`] : record.agency,
              ),
              record.links.length
                ? h('p', { class: 'timeline__links' }, `${t('cases.linksTo')}：`, record.links.map((id) => h('a', { href: recordPath(id) }, `↖ ${linkLabel(id)}`)))
                : null,
              h('div', { class: 'actions' }, h('a', { class: 'button button--secondary', href: recordPath(view.id) }, t('action.record')), valid ? h('a', { class: 'button button--secondary', href: recordPath(view.id, 'certificate') }, t('action.certificate')) : null),
            ),
          );
        }),
      ),
    );
  }

  return { view, start };
}

// Arcs in the left rail from each record to the earlier records it links to.
function drawLinks() {
  const list = document.querySelector('.timeline');
  const rail = list?.querySelector('.timeline__rail');
  if (!list || !rail) return;
  rail.replaceChildren();
  rail.setAttribute('height', String(list.scrollHeight));
  const dotX = 70; // the dots' centre (style.css: .timeline padding 96px, dot at -34px, 16px wide)
  const dotY = (item) => item.offsetTop + 30;
  const items = /** @type {HTMLElement[]} */ ([...list.querySelectorAll('.timeline__item')]);
  const byId = new Map(items.map((item) => [item.dataset.record, item]));
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: '7', refY: '4', markerWidth: '7', markerHeight: '7', orient: 'auto' }, svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'link-head' }));
  rail.append(svg('defs', null, marker));
  // The vertical line of the timeline itself.
  if (items.length > 1) rail.append(svg('line', { x1: String(dotX), x2: String(dotX), y1: String(dotY(items[0])), y2: String(dotY(items[items.length - 1])), stroke: '#c8d3e3', 'stroke-width': '2' }));
  items.forEach((item, index) => {
    for (const target of (item.dataset.links ?? '').split(' ').filter(Boolean)) {
      const to = byId.get(target);
      if (!to) continue;
      const y1 = dotY(item);
      const y2 = dotY(to);
      // Farther links bulge farther, so arcs that span others stay apart.
      const bulge = Math.min(60, 24 + 12 * (index - items.indexOf(to)));
      const x = dotX - 9;
      rail.append(svg('path', { class: 'link-path', d: `M${x},${y1} C${x - bulge},${y1} ${x - bulge},${y2} ${x},${y2}`, 'marker-end': 'url(#arrow)', dataset: { from: item.dataset.record, to: target } }));
    }
  });
}
window.addEventListener('resize', () => requestAnimationFrame(drawLinks));
