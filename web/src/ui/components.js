// Pieces several pages show: the verdict banner (data-testid="verdict" with
// data-verdict), the facts a valid receipt proves (the time T first, as
// data-testid="existed-by"), the list of checks, the signing institutions and the
// genesis panel. Each is a function of data returning DOM.
import { t } from '../i18n/index.js';
import { h } from './dom.js';
import { formatCount, formatTime, formatTimeLong, isoTime, kindName, recordPath, shortHash, stageName } from './format.js';

const CHECKS = ['document', 'signature', 'inclusion', 'header', 'commit', 'validators'];
const ICONS = { valid: '✓', invalid: '✕', 'not-found': '?' };

/**
 * @param {'valid'|'invalid'|'not-found'} verdict
 * @param {string} lead
 * @param {...any} extra
 */
export function verdictBanner(verdict, lead, ...extra) {
  return h(
    'section',
    { class: ['verdict', `verdict--${verdict}`], testid: 'verdict', dataset: { verdict }, role: 'status' },
    h('div', { class: 'verdict__icon', 'aria-hidden': 'true' }, ICONS[verdict]),
    h('div', { class: 'verdict__body' }, h('h2', { class: 'verdict__title' }, t(`verdict.${verdict}`)), h('p', { class: 'verdict__lead' }, lead), extra),
  );
}

/** The time the document existed by, with its meaning. @param {number} ms */
export function existedBy(ms, { testid = 'existed-by' } = {}) {
  return h('time', { class: 'existed-by', testid, datetime: isoTime(ms), dataset: { ms } }, formatTimeLong(ms));
}

/** @param {string} label @param {any} value @param {string} [note] */
export function fact(label, value, note, { key = false } = {}) {
  return h('div', { class: ['facts__row', key && 'facts__row--key'] }, h('dt', null, label), h('dd', null, value, note ? h('small', { class: 'facts__note' }, note) : null));
}

/** What a valid receipt proves. @param {import('../verify/receipt.js').Facts} f */
export function factsList(f) {
  const r = f.record;
  return h(
    'dl',
    { class: 'facts' },
    fact(t('fact.existedBy'), existedBy(f.existedByMs), t('fact.existedByNote'), { key: true }),
    governanceWarnings(f.governance),
    fact(t('fact.agency'), h('span', null, h('strong', { testid: 'agency' }, f.agency.name), h('span', { class: 'muted' }, ` · ${f.agency.institution} · `), h('code', null, f.agency.id))),
    fact(t('fact.kind'), kindName(r.kind)),
    fact(t('fact.case'), h('span', { testid: 'case' }, r.case_id)),
    fact(t('fact.stage'), stageName(r.stage)),
    r.title ? fact(t('fact.title'), r.title) : null,
    fact(t('fact.signers'), signersList(f.signers), t('fact.signersPower', { power: f.signingPower, total: f.totalPower })),
    fact(t('fact.recordId'), h('code', { class: 'hash', testid: 'record-id' }, f.recordId)),
    governanceFacts(f.governance),
  );
}

/**
 * A v2 receipt's warnings (a key compromised from before the record's claimed
 * time), shown right under the time the receipt proves.
 * @param {import('../verify/receipt.js').Governance} g
 */
export function governanceWarnings(g) {
  return g.warnings.map((w) => fact(t('fact.warning'), h('span', { class: 'remark remark--warning', testid: 'governance-warning' }, remarkText(w))));
}

/**
 * Which register a receipt was checked against (the genesis one, or the one a
 * v2 receipt's governance blocks give at the record's block), and the notes
 * later changes give about the record.
 * @param {import('../verify/receipt.js').Governance} g
 */
export function governanceFacts(g) {
  const state = governanceState(g);
  return [
    fact(
      t('fact.governance'),
      h('span', { testid: 'governance-state', dataset: { height: g.lastChangeHeight } }, state),
      g.receiptVersion === 2 ? [t('fact.governanceNote', { blocks: g.blocks }), ' ', h('code', { class: 'hash' }, g.stateHash)] : undefined,
    ),
    ...g.notes.map((n) => fact(t('fact.note'), h('span', { class: 'remark', testid: 'governance-note' }, remarkText(n)))),
  ];
}

/** The register a receipt was checked against, in words. @param {import('../verify/receipt.js').Governance} g */
export function governanceState(g) {
  return g.lastChangeHeight === 0 ? t('fact.governanceGenesis') : t('fact.governanceChanged', { height: g.lastChangeHeight, count: g.changesInForce });
}

/** A note or warning in words. @param {import('../verify/receipt.js').Remark} r */
export function remarkText(r) {
  return t(`remark.${r.kind}`, {
    key: shortHash(r.keyId ?? '', 16),
    reason: r.reason ? t(`reason.${r.reason}`) : '',
    agency: r.agency ?? '',
    height: r.height,
    time: r.timeMs === undefined ? '' : formatTime(r.timeMs),
    effective: r.effectiveMs === undefined ? '' : formatTime(r.effectiveMs),
    recordTime: r.recordTimeMs === undefined ? '' : formatTime(r.recordTimeMs),
  });
}

/**
 * The technical facts, folded. Linked records link to their pages unless `links`
 * is false (the offline page has no node to link to).
 * @param {import('../verify/receipt.js').Facts} f
 */
export function factDetails(f, { links = true } = {}) {
  return h(
    'details',
    { class: 'fold' },
    h('summary', null, t('fact.details')),
    h(
      'dl',
      { class: 'facts facts--compact' },
      fact(t('fact.digest'), h('code', { class: 'hash' }, f.record.digest)),
      fact(t('fact.size'), t('verify.fileSize', { size: formatCount(f.record.size) })),
      fact(t('fact.block'), t('fact.blockValue', { height: f.height }), h('code', { class: 'hash' }, f.blockHash)),
      fact(t('fact.position'), t('fact.positionValue', { index: f.leafIndex, size: f.treeSize })),
      fact(t('fact.logRoot'), h('code', { class: 'hash' }, f.logRoot)),
      fact(t('fact.recordTime'), formatTimeLong(f.recordTimeMs), t('fact.recordTimeNote')),
      fact(t('fact.blockTime'), formatTimeLong(f.blockTimeMs), t('fact.blockTimeNote')),
      f.record.links.length ? fact(t('fact.links'), f.record.links.map((id) => h('div', null, links ? h('a', { href: recordPath(id), class: 'hash' }, id) : h('code', { class: 'hash' }, id)))) : null,
    ),
  );
}

/** @param {import('../verify/receipt.js').Signer[]} signers */
export function signersList(signers) {
  return h(
    'ul',
    { class: 'signers' },
    signers.map((s) => h('li', null, h('span', { class: 'signers__name' }, s.institution), h('span', { class: 'signers__time' }, formatTime(s.timestampMs)))),
  );
}

/**
 * Every check with its outcome: passed, failed (the verdict's), or not reached.
 * @param {import('../verify/receipt.js').Verdict} verdict
 */
export function checkList(verdict) {
  const failed = verdict.verdict === 'invalid' ? verdict.check : null;
  const failedIndex = failed === null ? CHECKS.length : CHECKS.indexOf(failed);
  const items = [];
  if (failed === 'format' || failed === 'chain' || failed === 'governance') items.push(checkItem(failed, 'failed'));
  // A v2 receipt: its governance blocks were replayed from genesis before the other checks.
  const v2 = verdict.verdict === 'valid' && verdict.facts?.governance.receiptVersion === 2;
  if (v2) items.push(checkItem('governance', 'passed'));
  CHECKS.forEach((check, i) => {
    if (check === 'document' && verdict.verdict === 'valid' && !verdict.facts?.documentChecked) {
      items.push(checkItem('documentSkipped', 'skipped'));
      return;
    }
    const state = failed === 'format' || failed === 'chain' || failed === 'governance' ? 'skipped' : i < failedIndex ? 'passed' : i === failedIndex ? 'failed' : 'skipped';
    items.push(checkItem(check, state, check === 'validators' && v2 ? 'validatorsInForce' : check));
  });
  return h('ul', { class: 'checks', testid: 'checks' }, items);
}

function checkItem(check, state, label = check) {
  const mark = { passed: '✓', failed: '✕', skipped: '–' }[state];
  return h('li', { class: ['checks__item', `checks__item--${state}`], dataset: { check, state } }, h('span', { class: 'checks__mark', 'aria-hidden': 'true' }, mark), t(`check.${label}`));
}

/** The failed check and its technical detail. @param {{check: string|null, detail: string, code: string|null}} verdict */
export function failure(verdict) {
  return h(
    'div',
    { class: 'failure' },
    verdict.check ? h('p', null, t('verdict.failedCheck', { check: t(`check.${verdict.check}`) })) : null,
    h('details', { class: 'fold' }, h('summary', null, t('verdict.detail')), h('p', { class: 'mono' }, verdict.code ? `${verdict.code}: ` : '', verdict.detail)),
  );
}

/** A notice line. @param {'info'|'success'|'warning'|'error'} kind @param {...any} children */
export function notice(kind, ...children) {
  return h('div', { class: ['notice', `notice--${kind}`], role: kind === 'error' ? 'alert' : null }, children);
}

/**
 * A link that saves `value` as a JSON file. @param {any} value @param {string} name @param {string} label
 */
export function jsonDownload(value, name, label) {
  const blob = new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' });
  return h('a', { class: 'button button--secondary', href: URL.createObjectURL(blob), download: name }, label);
}

/** The kind, stage and status chips of a record. @param {any} record */
export function recordChips(record, status) {
  return h(
    'div',
    { class: 'chips' },
    h('span', { class: 'chip chip--stage' }, stageName(record.stage)),
    h('span', { class: 'chip' }, kindName(record.kind)),
    status ? h('span', { class: ['chip', `chip--${status}`] }, t(`status.${status}`)) : null,
  );
}
