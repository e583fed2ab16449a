// The verify page (/ and /verify): pick a file, hash it here, ask the node which
// records carry that digest (GET /v1/digests/...), verify each receipt here
// against the genesis, and show the verdict with what it proves.
import { findByDigest } from '../api.js';
import { t } from '../i18n/index.js';
import { verifyCheckpoint, verifyReceipt } from '../verify/index.js';
import { checkList, factDetails, factsList, failure, jsonDownload, notice, recordChips, verdictBanner } from './components.js';
import { h } from './dom.js';
import { filePicker } from './file_picker.js';
import { formatCount, formatTime, recordPath } from './format.js';
import { genesisPanel, loadTrustInto, trustNotices } from './genesis_panel.js';
import { digestFile } from './hashing.js';

/**
 * @typedef {{id: string, status: 'committed'|'pending', record: any, receipt: any,
 *            digest: string, verdict: import('../verify/receipt.js').Verdict|null,
 *            checkpoint?: {name: string, verdict: import('../verify/checkpoint.js').CheckpointVerdict}}} Result
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
      state.phase === 'done' ? outcome(ctx) : null,
      genesisPanel(ctx),
    ];
  }

  function progress() {
    if (state.phase === 'hashing') return notice('info', t('verify.hashing', { name: state.file?.name }));
    if (state.phase === 'querying') return notice('info', t('verify.querying'));
    if (state.phase === 'error') return notice('error', state.error);
    return null;
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function outcome(ctx) {
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
      shown.map((result) => resultCard(ctx, result)),
    );
  }

  /** @param {import('./layout.js').PageContext} ctx @param {Result} result */
  function resultCard(ctx, result) {
    const verdict = /** @type {import('../verify/receipt.js').Verdict} */ (result.verdict);
    const valid = verdict.verdict === 'valid';
    return h(
      'article',
      { class: ['panel', 'record-card', valid ? 'record-card--valid' : 'record-card--invalid'], dataset: { record: result.id } },
      recordChips(result.record, result.status),
      valid && verdict.facts ? factsList(verdict.facts) : failure(verdict),
      checkList(verdict),
      valid && verdict.facts ? factDetails(verdict.facts) : null,
      valid && verdict.facts ? besideCheckpoint(ctx, result) : null,
      h(
        'div',
        { class: 'actions' },
        valid ? h('a', { class: 'button', href: `${recordPath(result.id, 'certificate')}#digest=${result.digest}`, testid: 'certificate-link' }, t('action.certificate')) : null,
        jsonDownload(result.receipt, `${result.id.slice(0, 16)}.receipt.json`, t('action.receipt')),
        h('a', { class: 'button button--secondary', href: recordPath(result.id) }, t('action.record')),
      ),
    );
  }

  /**
   * A signed checkpoint of the receipt's block, given beside the receipt
   * (docs/receipt-format.md §8): who signed that tree head and which outside
   * witnesses cosigned it. It never changes the receipt's verdict.
   * @param {import('./layout.js').PageContext} ctx @param {Result} result
   */
  function besideCheckpoint(ctx, result) {
    const facts = /** @type {any} */ (result.verdict?.facts);
    const checked = result.checkpoint;
    return h(
      'section',
      { class: 'beside', testid: 'beside-checkpoint' },
      h('h3', null, t('beside.title')),
      h('p', { class: 'muted' }, t('beside.lead', { size: facts.treeSize })),
      filePicker({
        id: `checkpoint-${result.id.slice(0, 16)}`,
        testid: 'checkpoint',
        title: t('beside.pick'),
        compact: true,
        chosen: checked?.name ?? null,
        onFile: async (file) => {
          const text = file.size <= 16 * 1024 ? await file.text() : '';
          result.checkpoint = { name: file.name, verdict: verifyCheckpoint(text, ctx.trust?.genesis, facts) };
          ctx.update();
        },
      }),
      checked ? checkpointOutcome(checked.verdict) : null,
    );
  }

  /** @param {import('../verify/checkpoint.js').CheckpointVerdict} verdict */
  function checkpointOutcome(verdict) {
    if (verdict.verdict !== 'valid') {
      return notice('error', h('strong', null, t('beside.invalid')), ' ', h('span', { class: 'mono', testid: 'checkpoint-code' }, `${verdict.code}: ${verdict.detail}`));
    }
    const validators = verdict.validators ?? [];
    const witnesses = verdict.witnesses ?? [];
    return notice(
      'success',
      h('strong', { testid: 'checkpoint-valid' }, t('beside.valid', { size: verdict.size })),
      h(
        'ul',
        { class: 'signers' },
        h('li', null, h('span', { class: 'signers__name' }, t('beside.validators')), h('span', null, validators.length ? validators.join(', ') : t('beside.none'))),
        witnesses.length
          ? witnesses.map((w) => h('li', { testid: 'cosigner' }, h('span', { class: 'signers__name' }, `${t('beside.witness')} ${w.name}`), h('span', { class: 'signers__time' }, formatTime(w.time * 1000))))
          : h('li', null, h('span', { class: 'signers__name' }, t('beside.witnesses')), h('span', null, t('beside.none'))),
      ),
    );
  }

  return { view, start: loadTrustInto };
}
