// The root of trust, shown on pages that verify against the node: the chain, its
// genesis fingerprint and validators, a warning if the node's genesis changed,
// and the choice of a local genesis file instead.
import { t } from '../i18n/index.js';
import { h } from './dom.js';
import { notice } from './components.js';
import { acceptNodeGenesis, forgetLocalGenesis, loadTrust, useLocalGenesis } from './trust.js';
import { readBytes } from './hashing.js';

/** Loads the trust into ctx and renders. @param {import('./layout.js').PageContext} ctx */
export async function loadTrustInto(ctx) {
  ctx.trust = await loadTrust();
  ctx.update();
}

/** Warnings to show above a page's content. @param {import('./layout.js').PageContext} ctx */
export function trustNotices(ctx) {
  const trust = ctx.trust;
  if (trust === null) return null;
  if (trust.error) return notice('error', t('genesis.loadFailed', { detail: trust.error }));
  if (trust.changed) {
    return notice(
      'warning',
      t('genesis.changed'),
      ' ',
      h('button', { type: 'button', class: 'link-button', testid: 'genesis-accept', on: { click: () => { acceptNodeGenesis(trust); location.reload(); } } }, t('genesis.accept')),
    );
  }
  return null;
}

/** @param {import('./layout.js').PageContext} ctx */
export function genesisPanel(ctx) {
  // While the node's genesis differs from the pinned one, its fingerprint is shown
  // (to be checked with the operators) but nothing is verified against it.
  const genesis = ctx.trust?.genesis ?? ctx.trust?.candidate;
  if (!genesis) return null;
  const alertBox = h('div');
  const pick = h('input', {
    type: 'file',
    accept: '.json,application/json',
    class: 'visually-hidden',
    id: 'genesis-file',
    on: {
      change: async (event) => {
        const file = event.target.files?.[0];
        if (!file) return;
        const error = useLocalGenesis(await readBytes(file));
        if (error === null) await loadTrustInto(ctx);
        else alertBox.replaceChildren(notice('error', t('genesis.invalid', { detail: error })));
      },
    },
  });
  return h(
    'details',
    { class: 'panel panel--quiet genesis', testid: 'genesis' },
    h('summary', null, h('span', null, t('genesis.title')), h('code', { class: 'genesis__chain' }, genesis.chainId)),
    h('p', { class: 'muted' }, t('genesis.lead')),
    ctx.trust.source === 'local' ? notice('info', t('genesis.local')) : null,
    h(
      'dl',
      { class: 'facts facts--compact' },
      h('div', { class: 'facts__row' }, h('dt', null, t('genesis.chain')), h('dd', null, h('code', null, genesis.chainId))),
      h('div', { class: 'facts__row' }, h('dt', null, t('genesis.hash')), h('dd', null, genesis.hashName === 'sm3' ? 'SM3' : 'SHA-256')),
      h('div', { class: 'facts__row' }, h('dt', null, t('genesis.fingerprint')), h('dd', null, h('code', { class: 'hash', testid: 'genesis-fingerprint' }, `${genesis.hashName}:${genesis.fingerprint}`))),
      h(
        'div',
        { class: 'facts__row' },
        h('dt', null, t('genesis.validators')),
        h('dd', null, h('ul', { class: 'signers' }, genesis.validators.map((v) => h('li', null, h('span', { class: 'signers__name' }, v.institution), h('span', { class: 'signers__time' }, v.name))))),
      ),
      genesis.params
        ? h('div', { class: 'facts__row' }, h('dt', null, t('genesis.governance')), h('dd', { testid: 'genesis-governance' }, t('genesis.governanceRule', { threshold: genesis.params.governance_threshold, institutions: genesis.admins.length })))
        : null,
    ),
    h('p', { class: 'muted' }, t('genesis.agencies', { count: genesis.agencies.length })),
    genesis.observers.length ? h('p', { class: 'muted' }, t('genesis.observers', { count: genesis.observers.length })) : null,
    alertBox,
    h(
      'div',
      { class: 'actions' },
      ctx.trust.source === 'local'
        ? h('button', { type: 'button', class: 'button button--secondary', on: { click: () => { forgetLocalGenesis(); loadTrustInto(ctx); } } }, t('genesis.useNode'))
        : h('label', { class: 'button button--secondary', for: 'genesis-file' }, t('genesis.useLocal')),
      pick,
    ),
  );
}
