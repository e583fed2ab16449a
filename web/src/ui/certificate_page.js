// The certificate (存证证明, /records/{id}/certificate): a printable A4 page of what
// the record's receipt proves, verified here first, with a QR code that opens
// the record's page (/records/{id}#digest=..., when the digest is known) on the
// node that issued it. Opened from a
// verification result it carries the document's digest in the URL fragment
// (#digest=..., never sent to the node), finds the record by that digest and
// checks the receipt against it; otherwise it reads the record by id.
import { findByDigest, getRecord } from '../api.js';
import { language, t } from '../i18n/index.js';
import { parseDocumentDigest, verifyReceipt } from '../verify/index.js';
import { existedBy, failure, governanceState, notice, remarkText } from './components.js';
import { h } from './dom.js';
import { formatCount, formatTime, formatTimeLong, kindName, stageName } from './format.js';
import { loadTrustInto, trustNotices } from './genesis_panel.js';
import { qrSvg } from './qr.js';
import { readerToken } from './reader.js';
import { recordIdFromPath } from './record_page.js';

export function certificatePage() {
  const id = recordIdFromPath(location.pathname);
  const fragment = new URLSearchParams(location.hash.slice(1)).get('digest');
  const digest = fragment && parseDocumentDigest(fragment) ? fragment : null;
  // The QR code carries the digest in the fragment (never sent to the node): the
  // node shows a record to whoever names its document's digest, and the holder
  // of the certificate is shown it (docs/api.md, "Access").
  const url = id ? `${location.origin}/records/${id}${digest ? `#digest=${digest}` : ''}` : '';
  const issuedAt = Date.now();
  /** @type {{loading: boolean, error: string|null, verdict: any, qr: SVGElement|null}} */
  const state = { loading: true, error: null, verdict: null, qr: null };

  /** @param {import('./layout.js').PageContext} ctx */
  async function start(ctx) {
    await loadTrustInto(ctx);
    const genesis = ctx.trust?.genesis;
    if (!genesis || !id) return done(ctx, id ? null : t('record.notFound'));
    const view = await findView();
    if (typeof view === 'string') return done(ctx, view);
    if (!view || view.status !== 'committed' || !view.receipt) return done(ctx, t('certificate.missing'));
    state.verdict = verifyReceipt(view.receipt, genesis, digest);
    state.qr = await qrSvg(url);
    done(ctx);
  }

  // The record's view, or a message saying why there is none.
  async function findView() {
    if (digest) {
      const answer = await findByDigest(digest);
      if (answer.ok) return answer.data.records.find((r) => r.id === id) ?? null;
      if (answer.status !== 404) return message(answer);
      return null;
    }
    const answer = await getRecord(/** @type {string} */ (id), readerToken());
    if (answer.ok) return answer.data;
    if (answer.status === 401 || answer.status === 403) return t('record.needAccess');
    return answer.status === 404 ? t('record.notFound') : message(answer);
  }

  function message(answer) {
    return answer.status === 0 ? t('node.unreachable', answer) : t('node.error', answer);
  }

  function done(ctx, error = null) {
    Object.assign(state, { loading: false, error });
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    return [
      trustNotices(ctx),
      state.loading ? notice('info', t('common.loading')) : null,
      state.error ? notice('error', state.error) : null,
      state.verdict ? certificate(ctx) : null,
    ];
  }

  function certificate(ctx) {
    const genesis = /** @type {any} */ (ctx.trust?.genesis);
    const verdict = state.verdict;
    if (verdict.verdict !== 'valid') {
      return h('div', { class: 'panel', testid: 'certificate' }, notice('error', t('certificate.bodyUnverified')), failure(verdict));
    }
    const f = verdict.facts;
    const r = f.record;
    const row = (label, ...value) => h('tr', null, h('th', null, label), h('td', null, value));
    return [
      h('div', { class: 'certificate-tools no-print' }, h('button', { class: 'button', type: 'button', on: { click: () => window.print() } }, t('action.print'))),
      h(
        'article',
        { class: 'certificate', testid: 'certificate', lang: language() },
        h(
          'div',
          { class: 'certificate__frame' },
          h('header', { class: 'certificate__head' }, h('h1', { class: 'certificate__title' }, t('certificate.title')), h('p', { class: 'certificate__subtitle' }, t('certificate.subtitle'))),
          h('p', { class: 'certificate__number' }, `${t('certificate.number')}：`, h('code', null, `EL-${f.recordId.slice(0, 16).toUpperCase()}`)),
          h('p', { class: 'certificate__body' }, t('certificate.body', { agency: f.agency.name, count: f.signers.length, time: formatTimeLong(f.existedByMs) })),
          h(
            'table',
            null,
            h(
              'tbody',
              null,
              row(t('fact.existedBy'), h('strong', null, existedBy(f.existedByMs))),
              row(t('fact.title'), r.title || '—'),
              row(t('fact.case'), r.case_id),
              row(t('fact.kind'), `${kindName(r.kind)} · ${stageName(r.stage)}`),
              row(t('fact.agency'), `${f.agency.name}（${f.agency.institution}）`),
              row(t('fact.digest'), h('code', null, r.digest), f.documentChecked ? h('span', { class: 'ok' }, ' ✓') : null),
              row(t('fact.size'), t('verify.fileSize', { size: formatCount(r.size) })),
              row(t('fact.recordId'), h('code', null, f.recordId)),
              row(t('fact.signers'), f.signers.map((signer) => h('div', null, signer.institution, h('span', { class: 'muted' }, ` · ${formatTime(signer.timestampMs)}`)))),
              row(t('fact.block'), `${t('fact.blockValue', { height: f.height })} · ${t('fact.positionValue', { index: f.leafIndex, size: f.treeSize })}`),
              row(t('fact.logRoot'), h('code', null, f.logRoot)),
            ),
          ),
          h(
            'div',
            { class: 'certificate__bottom' },
            h(
              'div',
              null,
              // A v2 receipt: what later governance changes say about the record (beside the
              // QR code, whose column is the taller one: the page stays one A4 sheet).
              f.governance.warnings.map((w) => h('p', { class: 'certificate__warning', testid: 'governance-warning' }, `${t('fact.warning')}：${t('certificate.keyCompromised', { height: w.height, effective: formatTime(w.effectiveMs ?? 0) })}`)),
              f.governance.notes.map((n) => h('p', { class: 'certificate__small', testid: 'governance-note' }, `${t('fact.note')}：${remarkText(n)}`)),
              h('p', { class: 'certificate__small' }, t('certificate.howTo')),
              h('p', { class: 'certificate__small' }, t('certificate.genesis', { chain: genesis.chainId, fingerprint: `${genesis.hashName}:${genesis.fingerprint}` })),
              // A v2 receipt: the register it was checked against.
              f.governance.receiptVersion === 2 ? h('p', { class: 'certificate__small', testid: 'governance-state' }, `${t('fact.governance')}：${governanceState(f.governance)}`) : null,
              h('p', { class: 'certificate__small' }, t('certificate.issuedBy', { node: location.host, time: formatTime(issuedAt) })),
            ),
            h('figure', { class: 'certificate__qr', testid: 'certificate-qr' }, state.qr, h('figcaption', null, h('strong', null, t('certificate.scan')), h('br'), t('certificate.scanNote'), h('div', { class: 'certificate__url' }, url))),
          ),
        ),
      ),
    ];
  }

  return { view, start };
}
