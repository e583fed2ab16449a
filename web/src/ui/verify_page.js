// The verify page (/ and /verify): pick a file, hash it here, ask the node which
// records carry that digest (GET /v1/digests/...), verify each receipt here
// against the genesis, and show the verdict with what it proves.
import { findByDigest } from '../api.js';
import { t } from '../i18n/index.js';
import { verifyReceipt } from '../verify/index.js';
import { checkList, factDetails, factsList, failure, jsonDownload, notice, recordChips, verdictBanner } from './components.js';
import { h } from './dom.js';
import { filePicker } from './file_picker.js';
import { formatCount, recordPath } from './format.js';
import { genesisPanel, loadTrustInto, trustNotices } from './genesis_panel.js';
import { digestFile } from './hashing.js';

/**
 * @typedef {{id: string, status: 'committed'|'pending', record: any, receipt: any,
 *            digest: string, verdict: import('../verify/receipt.js').Verdict|null}} Result
 * @typedef {{phase: 'idle'|'hashing'|'querying'|'done'|'error', file: {name: string, size: number}|null,
 *            digests: string[], results: Result[], error: string|null}} State
 */

export function verifyPage() {
  /** @type {State} */
  const state = { phase: 'idle', file: null, digests: [], results: [], error: null };

  /** @param {import('./layout.js').PageContext} ctx @param {File} file */
  async function check(ctx, file) {
    const genesis = ctx.trust?.genesis;
    if (!genesis) return;
    Object.assign(state, { phase: 'hashing', file: { name: file.name, size: file.size }, digests: [], results: [], error: null });
    ctx.update();
    state.digests = await digestFile(file);
    state.phase = 'querying';
    ctx.update();
    const results = [];
    for (const digest of state.digests) {
      const answer = await findByDigest(digest);
      if (!answer.ok && answer.status === 404) continue;
      if (!answer.ok) {
        Object.assign(state, { phase: 'error', error: answer.status === 0 ? t('node.unreachable', { detail: answer.detail }) : t('node.error', answer) });
        ctx.update();
        return;
      }
      for (const view of answer.data.records) {
        const committed = view.status === 'committed' && view.receipt;
        results.push({
          id: view.id,
          status: committed ? 'committed' : 'pending',
          record: view.record,
          receipt: view.receipt,
          digest,
          verdict: committed ? verifyReceipt(view.receipt, genesis, digest) : null,
        });
      }
    }
    Object.assign(state, { phase: 'done', results });
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    return [
      h('section', { class: 'intro' }, h('h1', null, t('verify.title')), h('p', { class: 'lead' }, t('verify.lead'))),
      trustNotices(ctx),
      h(
        'div',
        { class: 'panel' },
        filePicker({
          id: 'document',
          testid: 'document',
          title: state.file ? t('verify.again') : t('verify.title'),
          hint: t('verify.privacy'),
          compact: state.file !== null,
          onFile: (file) => check(ctx, file),
        }),
      ),
      progress(),
      state.phase === 'done' ? outcome() : null,
      genesisPanel(ctx),
    ];
  }

  function progress() {
    if (state.phase === 'hashing') return notice('info', t('verify.hashing', { name: state.file?.name }));
    if (state.phase === 'querying') return notice('info', t('verify.querying'));
    if (state.phase === 'error') return notice('error', state.error);
    return null;
  }

  function outcome() {
    const valid = state.results.filter((r) => r.verdict?.verdict === 'valid');
    const invalid = state.results.filter((r) => r.verdict?.verdict === 'invalid');
    const pending = state.results.filter((r) => r.status === 'pending');
    const overall = valid.length > 0 ? 'valid' : invalid.length > 0 ? 'invalid' : 'not-found';
    const fileLine = h(
      'p',
      { class: 'verdict__file' },
      t('verify.file'),
      h('strong', null, state.file?.name),
      ` · ${t('verify.fileSize', { size: formatCount(state.file?.size ?? 0) })}`,
      h('br'),
      h('code', { class: 'hash', testid: 'digest' }, state.digests[0]),
    );
    const banner =
      overall === 'valid'
        ? verdictBanner('valid', t('verdict.valid.lead'), fileLine)
        : overall === 'invalid'
          ? verdictBanner('invalid', t('verdict.invalid.lead'), fileLine)
          : verdictBanner('not-found', t('verdict.not-found.lead'), fileLine, h('p', { class: 'muted' }, pending.length ? t('verdict.pending.hint') : t('verdict.not-found.hint')));
    const shown = [...valid, ...invalid];
    return h(
      'section',
      { class: 'outcome' },
      banner,
      shown.length > 1 ? h('p', { class: 'muted' }, t('verify.records', { count: shown.length })) : null,
      shown.map(resultCard),
    );
  }

  /** @param {Result} result */
  function resultCard(result) {
    const verdict = /** @type {import('../verify/receipt.js').Verdict} */ (result.verdict);
    const valid = verdict.verdict === 'valid';
    return h(
      'article',
      { class: ['panel', 'record-card', valid ? 'record-card--valid' : 'record-card--invalid'], dataset: { record: result.id } },
      recordChips(result.record, result.status),
      valid && verdict.facts ? factsList(verdict.facts) : failure(verdict),
      checkList(verdict),
      valid && verdict.facts ? factDetails(verdict.facts) : null,
      h(
        'div',
        { class: 'actions' },
        valid ? h('a', { class: 'button', href: `${recordPath(result.id, 'certificate')}#digest=${result.digest}`, testid: 'certificate-link' }, t('action.certificate')) : null,
        jsonDownload(result.receipt, `${result.id.slice(0, 16)}.receipt.json`, t('action.receipt')),
        h('a', { class: 'button button--secondary', href: recordPath(result.id) }, t('action.record')),
      ),
    );
  }

  return { view, start: loadTrustInto };
}
