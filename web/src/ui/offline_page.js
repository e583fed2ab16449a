// The offline verifier (evidence-verify.html): one self-contained file that
// checks a document + receipt JSON + genesis JSON entirely on this computer, with
// the same verifier modules as the portal and no network access at all (the page
// has no code that could make a request, and its Content-Security-Policy forbids
// any).
import { t } from '../i18n/index.js';
import { verifyFiles } from '../verify/index.js';
import { checkList, factDetails, factsList, failure, notice, recordChips, verdictBanner } from './components.js';
import { h } from './dom.js';
import { filePicker } from './file_picker.js';
import { readBytes } from './hashing.js';

export function offlinePage() {
  /** @type {{document: File|null, receipt: File|null, genesis: File|null, result: any, error: string|null}} */
  const state = { document: null, receipt: null, genesis: null, result: null, error: null };

  /** @param {import('./layout.js').PageContext} ctx */
  async function check(ctx) {
    Object.assign(state, { result: null, error: null });
    if (!state.document || !state.receipt || !state.genesis) return ctx.update();
    // The same answer `evidence verify` gives for these three files.
    const answer = verifyFiles({ genesis: await readBytes(state.genesis), receipt: await readBytes(state.receipt), document: await readBytes(state.document) });
    if (answer.code === 'genesis.invalid') state.error = t('genesis.invalid', { detail: answer.detail });
    else state.result = answer;
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    const picker = (slot, testid, title, accept) =>
      filePicker({
        id: testid,
        testid,
        title,
        accept,
        compact: true,
        chosen: state[slot]?.name ?? null,
        onFile: (file) => {
          state[slot] = file;
          check(ctx);
        },
      });
    return [
      h('section', { class: 'intro' }, h('h1', null, t('offline.title')), h('p', { class: 'lead' }, t('offline.lead'))),
      h(
        'div',
        { class: 'offline-grid panel' },
        picker('document', 'document', t('offline.document')),
        picker('receipt', 'receipt', t('offline.receipt'), '.json,application/json'),
        picker('genesis', 'genesis', t('offline.genesis'), '.json,application/json'),
      ),
      state.error ? notice('error', state.error) : null,
      !state.result && !state.error ? h('p', { class: 'muted' }, t('offline.waiting')) : null,
      state.result ? outcome(state.result) : null,
    ];
  }

  function outcome(verdict) {
    const valid = verdict.verdict === 'valid';
    return h(
      'section',
      { class: 'outcome' },
      verdictBanner(verdict.verdict, valid ? t('verdict.valid.lead') : t('verdict.invalid.lead')),
      h('article', { class: ['panel', 'record-card', valid ? 'record-card--valid' : 'record-card--invalid'] }, valid ? [recordChips(verdict.facts.record, 'committed'), factsList(verdict.facts)] : failure(verdict), checkList(verdict), valid ? factDetails(verdict.facts, { links: false }) : null),
    );
  }

  return { view, offline: true };
}
