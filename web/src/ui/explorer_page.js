// The explorer (/explorer): the latest tree head and blocks, newest first, each
// verified here (header hash, commit signatures by the validators in force at
// its height, governance members, leaf hashes); ?height=N shows one block with
// its header, commit, governance actions and leaf hashes, and its records when a
// reader's token is in this tab. The public block routes carry leaf hashes only.
// The register in force at each height is replayed here from the genesis file
// with the node's governance blocks (GET /v1/governance/blocks), each proven by
// a commit, so nothing of the node is trusted; they are read after the blocks,
// so they cover every block shown.
import { getBlock, getTreeHead, listBlocks, listGovernanceBlocks } from '../api.js';
import { t } from '../i18n/index.js';
import { chainGovernance, recordIdHex, verifyBlock } from '../verify/index.js';
import { notice, recordChips } from './components.js';
import { h } from './dom.js';
import { formatCount, formatTime, recordPath } from './format.js';
import { loadTrustInto, trustNotices } from './genesis_panel.js';
import { readerToken } from './reader.js';

const PAGE_SIZE = 20;
const GOVERNANCE_PAGES_MAX = 64; // of 256 governance blocks each

export function explorerPage() {
  const params = new URLSearchParams(location.search);
  const selected = positiveInteger(params.get('height'));
  const top = positiveInteger(params.get('to'));
  /** @type {{loading: boolean, error: string|null, head: any, blocks: any[], block: any, from: number, to: number,
   *           governance: import('../verify/explorer.js').ChainGovernance|null, governanceBlocks: number, governanceServed: boolean}} */
  const state = { loading: true, error: null, head: null, blocks: [], block: null, from: 0, to: 0, governance: null, governanceBlocks: 0, governanceServed: true };

  /** @param {import('./layout.js').PageContext} ctx */
  async function start(ctx) {
    await loadTrustInto(ctx);
    if (!ctx.trust?.genesis) return finish(ctx);
    const token = readerToken();
    if (selected) {
      const answer = await getBlock(selected, token);
      if (!answer.ok) return finish(ctx, failure(answer));
      state.block = answer.data;
      return finish(ctx, await loadGovernance(ctx.trust.genesis));
    }
    const head = await getTreeHead();
    if (!head.ok && head.status !== 404) return finish(ctx, failure(head));
    state.head = head.ok ? head.data : null;
    const tip = state.head ? state.head.height : 0;
    state.to = Math.min(top ?? tip, tip);
    state.from = Math.max(1, state.to - PAGE_SIZE + 1);
    if (state.to >= 1) {
      const page = await listBlocks(state.from, state.to - state.from + 1, token);
      if (!page.ok) return finish(ctx, failure(page));
      state.blocks = page.data.blocks.slice().reverse();
    }
    finish(ctx, await loadGovernance(ctx.trust.genesis));
  }

  // Every governance block, page by page (null, or the error to show).
  async function loadGovernance(genesis) {
    const values = [];
    let from = 1;
    for (let pages = 0; from !== null && pages < GOVERNANCE_PAGES_MAX; pages++) {
      const answer = await listGovernanceBlocks(from);
      if (!answer.ok && answer.status === 404 && values.length === 0) {
        state.governanceServed = false; // a node from before the route: genesis's validators only
        break;
      }
      if (!answer.ok) return failure(answer);
      const blocks = Array.isArray(answer.data?.blocks) ? answer.data.blocks : null;
      if (blocks === null) return t('node.error', { status: 200, detail: 'no governance blocks list' });
      values.push(...blocks);
      const next = answer.data.next_from;
      from = Number.isSafeInteger(next) && next > from ? next : null;
    }
    state.governance = chainGovernance(genesis, values);
    state.governanceBlocks = values.length;
    return null;
  }

  function finish(ctx, error = null) {
    Object.assign(state, { loading: false, error });
    ctx.update();
  }

  /** @param {import('./layout.js').PageContext} ctx */
  function view(ctx) {
    const genesis = ctx.trust?.genesis;
    return [
      h('section', { class: 'intro' }, h('h1', null, selected ? t('explorer.block', { height: selected }) : t('explorer.title')), h('p', { class: 'lead' }, t('explorer.lead'))),
      trustNotices(ctx),
      readerToken() ? notice('info', t('explorer.readerHint')) : null,
      !state.loading && !state.error && state.governance ? governanceNotice() : null,
      state.error ? notice('error', state.error) : null,
      state.loading ? notice('info', t('common.loading')) : null,
      !state.loading && genesis && !state.error ? (selected ? blockView(genesis) : listView(genesis)) : null,
    ];
  }

  function governanceNotice() {
    if (!state.governanceServed) return notice('warning', t('explorer.governanceMissing'));
    if (state.governanceBlocks === 0) return null;
    return h('p', { class: 'muted', testid: 'governance-proven' }, t('explorer.governanceProven', { count: state.governanceBlocks }));
  }

  const check = (block, genesis) => verifyBlock(block, genesis, state.governance ?? undefined);

  function listView(genesis) {
    if (!state.head) return h('div', { class: 'panel' }, t('explorer.empty'));
    const headBlock = state.blocks.find((b) => b.height === state.head.height);
    const headVerdict = headBlock ? check(headBlock, genesis) : null;
    const headOk = headVerdict?.verdict === 'valid' && headBlock.header.log_root === state.head.root && headBlock.header.log_size === state.head.size;
    return [
      h(
        'section',
        { class: 'panel', testid: 'tree-head' },
        h('h2', null, t('explorer.treeHead'), ' ', headVerdict ? h('span', { class: headOk ? 'ok' : 'bad' }, headOk ? '✓' : '✕') : null),
        h(
          'div',
          { class: 'stat-grid' },
          stat(t('explorer.treeSize'), formatCount(state.head.size)),
          stat(t('explorer.height'), formatCount(state.head.height)),
          stat(t('explorer.treeRoot'), state.head.root, true),
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, t('explorer.blocks')),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data', testid: 'blocks' },
            h('thead', null, h('tr', null, ['height', 'time', 'leaves', 'proposer', 'signers', 'verified'].map((c) => h('th', null, t(`explorer.col.${c}`))))),
            h('tbody', null, state.blocks.map((block) => blockRow(block, genesis))),
          ),
        ),
        h(
          'div',
          { class: 'pager' },
          state.from > 1 ? h('a', { href: `/explorer?to=${state.from - 1}` }, `← ${t('explorer.older')}`) : h('span'),
          state.to < state.head.height ? h('a', { href: `/explorer?to=${Math.min(state.head.height, state.to + PAGE_SIZE)}` }, `${t('explorer.newer')} →`) : h('span'),
        ),
      ),
    ];
  }

  function blockRow(block, genesis) {
    const verdict = check(block, genesis);
    const f = verdict.facts;
    return h(
      'tr',
      { dataset: { height: block.height } },
      h(
        'td',
        null,
        h('a', { href: `/explorer?height=${block.height}` }, `#${block.height}`),
        f && f.actions.length > 0 ? [' ', h('span', { class: 'chip', testid: 'governance-chip', title: f.actions.map((a) => t(`govAction.${a.action}`)).join('、') }, t('explorer.actionsBadge', { count: f.actions.length }))] : null,
      ),
      h('td', null, f ? formatTime(f.committedAtMs) : '—'),
      h('td', null, Array.isArray(block.leaves) ? block.leaves.length : '—'),
      h('td', null, f ? institutionOf(f.validators, f.proposer) : '—'),
      h('td', null, f ? f.signers.map((s) => s.institution).join('、') : '—'),
      h('td', null, verdict.verdict === 'valid' ? h('span', { class: 'ok' }, '✓') : h('span', { class: 'bad', title: verdict.detail }, `✕ ${t(`check.${verdict.check}`)}`)),
    );
  }

  function blockView(genesis) {
    const block = state.block;
    const verdict = check(block, genesis);
    const f = verdict.facts;
    const validators = f ? f.validators : genesis.validators;
    const header = block.header ?? {};
    const rows = Object.entries(header).map(([name, value]) =>
      h('tr', null, h('th', null, name), h('td', null, h('code', { class: 'hash' }, String(value)), name === 'time_ms' ? h('span', { class: 'muted' }, `  (${formatTime(value, { millis: true })})`) : null)),
    );
    return [
      h('p', null, h('a', { href: '/explorer' }, `← ${t('explorer.back')}`)),
      verdict.verdict === 'valid' ? notice('success', `✓ ${t('check.header')} · ${t('check.commit')} · ${t('check.leaves')}${Array.isArray(block.records) ? ` · ${t('check.records')}` : ''}`) : notice('error', `✕ ${t(`check.${verdict.check}`)}: ${verdict.detail}`),
      h('section', { class: 'panel' }, h('h2', null, t('explorer.header')), h('div', { class: 'table-wrap' }, h('table', { class: 'data data--vertical' }, h('tbody', null, rows)))),
      h(
        'section',
        { class: 'panel' },
        h('h2', null, t('explorer.commit')),
        h(
          'table',
          { class: 'data' },
          h('thead', null, h('tr', null, h('th', null, t('explorer.validator')), h('th', null, t('explorer.signedAt')))),
          h('tbody', null, (block.commit?.signatures ?? []).map((s) => h('tr', null, h('td', null, validators[s.validator]?.institution ?? s.validator), h('td', null, formatTime(s.timestamp_ms, { millis: true }))))),
        ),
        f
          ? h(
              'p',
              { class: 'muted', testid: 'in-force' },
              `${t('explorer.inForce')}: ${f.validators.map((v) => v.institution).join('、')} — `,
              f.registerSince > 0 ? t('explorer.registerSince', { height: f.registerSince }) : t('explorer.registerGenesis'),
            )
          : null,
      ),
      f && f.actions.length > 0 ? actionsPanel(f) : null,
      h('section', { class: 'panel' }, h('h2', null, t('explorer.leavesTitle', { count: block.leaves?.length ?? 0 })), h('ol', { class: 'leaves', start: '0', testid: 'leaves' }, (block.leaves ?? []).map((leaf) => h('li', null, leaf)))),
      Array.isArray(block.records)
        ? h(
            'section',
            { class: 'panel' },
            h('h2', null, t('explorer.recordsTitle', { count: block.records.length })),
            block.records.map((record) => {
              const id = recordIdHex(genesis, record);
              return h('div', { class: 'facts__row' }, h('dt', null, recordChips(record)), h('dd', null, h('strong', null, record.case_id), ' · ', record.title, h('br'), h('a', { class: 'hash', href: recordPath(id) }, id)));
            }),
          )
        : null,
    ];
  }

  return { view, start };
}

function stat(label, value, hash = false) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat__label' }, label), h('div', { class: ['stat__value', hash && 'stat__value--hash'] }, value));
}

function institutionOf(validators, name) {
  return validators.find((v) => v.name === name)?.institution ?? name;
}

function actionsPanel(f) {
  return h(
    'section',
    { class: 'panel', testid: 'governance-actions' },
    h('h2', null, t('explorer.actionsTitle', { count: f.actions.length })),
    h('p', { class: 'muted' }, t('explorer.actionsNote', { height: f.height + 2 })),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, ['seq', 'action', 'subject'].map((c) => h('th', null, t(`explorer.col.${c}`))))),
        h('tbody', null, f.actions.map((a) => h('tr', null, h('td', null, String(a.seq)), h('td', null, t(`govAction.${a.action}`)), h('td', null, a.subject)))),
      ),
    ),
  );
}

function failure(answer) {
  return answer.status === 0 ? t('node.unreachable', { detail: answer.detail }) : t('node.error', answer);
}

function positiveInteger(text) {
  return text && /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : null;
}

