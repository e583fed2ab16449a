// One record (/records/{id}), the page a certificate's QR code opens: the record
// and its receipt, verified here; choosing the original file checks that it is
// this record's document (hashed here, compared here). Where the node shows the
// record only to readers, the file's digest finds it instead.
import { findByDigest, getRecord } from '../api.js';
import { t } from '../i18n/index.js';
import { parseDocumentDigest, verifyReceipt } from '../verify/index.js';
import { checkList, factDetails, factsList, failure, jsonDownload, notice, recordChips, verdictBanner } from './components.js';
import { h } from './dom.js';
import { filePicker } from './file_picker.js';
import { recordPath } from './format.js';
import { loadTrustInto, trustNotices } from './genesis_panel.js';
import { digestFile } from './hashing.js';
import { readerToken } from './reader.js';

/** The record id of a /records/{id}[/...] path, or null. */
export function recordIdFromPath(pathname) {
  const match = /^\/records\/([0-9a-fA-F]{64})(?:\/|$)/.exec(pathname);
  return match ? match[1].toLowerCase() : null;
}

export function recordPage() {
  const id = recordIdFromPath(location.pathname);
  /** @type {{loading: boolean, error: string|null, access: boolean, view: any, verdict: any, file: {name: string, digests: string[]}|null, fileVerdict: any}} */
  const state = { loading: true, error: null, access: true, view: null, verdict: null, file: null, fileVerdict: null };

  /** @param {import('./layout.js').PageContext} ctx */
  async function start(ctx) {
    await loadTrustInto(ctx);
    const genesis = ctx.trust?.genesis;
    if (!genesis || !id) return done(ctx, id ? null : t('record.notFound'));
    // Opened from a certificate's QR code: the document's digest in the fragment
    // (never sent as part of the page's URL) finds the record for anyone.
    const fragment = new URLSearchParams(location.hash.slice(1)).get('digest');
    const digest = fragment && parseDocumentDigest(fragment) ? fragment : null;
    if (digest && !readerToken()) {
      const found = await findByDigest(digest);
      const match = found.ok ? found.data.records.find((r) => r.id === id) : null;
      if (match) {
        show(genesis, match, digest);
        return done(ctx);
      }
    }
    const answer = await getRecord(id, readerToken());
    if (!answer.ok) {
      if (answer.status === 401 || answer.status === 403) state.access = false;
      else return done(ctx, answer.status === 404 ? t('record.notFound') : answer.status === 0 ? t('node.unreachable', answer) : t('node.error', answer));
      return done(ctx);
    }
    show(genesis, answer.data, null);
    done(ctx);
  }

  function show(genesis, view, digest) {
    state.view = view;
    state.verdict = view.status === 'committed' && view.receipt ? verifyReceipt(view.receipt, genesis, digest) : null;
  }

  function done(ctx, error = null) {
    Object.assign(state, { loading: false, error });
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx @param {File} file */
  async function checkFile(ctx, file) {
    const genesis = ctx.trust?.genesis;
    if (!genesis) return;
    const digests = await digestFile(file);
    state.file = { name: file.name, digests };
    if (!state.view) {
      for (const digest of digests) {
        const answer = await findByDigest(digest);
        const match = answer.ok ? answer.data.records.find((r) => r.id === id) : null;
        if (match) show(genesis, match, null);
      }
    }
    const digest = state.view ? digests.find((d) => d.startsWith(state.view.record.digest.split(':')[0] + ':')) : null;
    state.fileVerdict = state.view && state.view.receipt ? verifyReceipt(state.view.receipt, genesis, digest ?? null) : null;
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    return [
      h('section', { class: 'intro' }, h('h1', null, t('record.title')), h('p', { class: 'lead' }, t('record.lead')), id ? h('p', null, h('code', { class: 'hash' }, id)) : null),
      trustNotices(ctx),
      state.loading ? notice('info', t('common.loading')) : null,
      state.error ? notice('error', state.error) : null,
      !state.access && !state.view ? notice('info', t('record.needAccess')) : null,
      fileOutcome(),
      state.view ? recordView() : null,
      !state.loading && !state.error
        ? h('section', { class: 'panel' }, filePicker({ id: 'document', testid: 'document', title: t('action.verifyFile'), hint: t('verify.privacy'), chosen: state.file?.name ?? null, onFile: (file) => checkFile(ctx, file) }))
        : null,
    ];
  }

  function fileOutcome() {
    if (!state.file) return null;
    if (!state.view) return verdictBanner('not-found', t('verdict.not-found.lead'), h('p', { class: 'muted' }, t('verdict.not-found.hint')));
    const verdict = state.fileVerdict;
    if (verdict?.verdict === 'valid') return verdictBanner('valid', t('record.matches'));
    if (verdict?.code === 'receipt.digest_mismatch') return verdictBanner('invalid', t('record.differs'), failure(verdict));
    if (verdict) return verdictBanner('invalid', t('verdict.invalid.lead'), failure(verdict));
    return notice('info', t('verdict.pending.hint'));
  }

  function recordView() {
    const view = state.view;
    const verdict = state.verdict;
    const valid = verdict?.verdict === 'valid';
    return h(
      'article',
      { class: ['panel', 'record-card', verdict ? (valid ? 'record-card--valid' : 'record-card--invalid') : null] },
      recordChips(view.record, view.status),
      !state.file && verdict ? verdictBanner(verdict.verdict, valid ? t('verdict.valid.receiptOnly') : t('verdict.invalid.lead')) : null,
      valid ? factsList(verdict.facts) : verdict ? failure(verdict) : notice('info', t('verdict.pending.hint')),
      verdict ? checkList(state.fileVerdict ?? verdict) : null,
      valid ? factDetails(verdict.facts) : null,
      h(
        'div',
        { class: 'actions' },
        valid ? h('a', { class: 'button', href: certificateHref(view) }, t('action.certificate')) : null,
        view.receipt ? jsonDownload(view.receipt, `${view.id.slice(0, 16)}.receipt.json`, t('action.receipt')) : null,
      ),
    );
  }

  function certificateHref(view) {
    const digest = state.file?.digests.find((d) => d === view.record.digest);
    return `${recordPath(view.id, 'certificate')}${digest ? `#digest=${digest}` : ''}`;
  }

  return { view, start };
}
