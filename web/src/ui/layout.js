// The frame every page shares: header with the site's name, the navigation and
// the language switch; the page's main part; a footer that names the ledger and
// its genesis fingerprint. startPage renders the whole frame from the page's
// view function and renders again on update() or a change of language.
import { language, loadLanguage, onLanguageChange, setLanguage, t } from '../i18n/index.js';
import { h, replace } from './dom.js';

const NAV = [
  { page: 'verify', href: '/verify', label: 'nav.verify' },
  { page: 'explorer', href: '/explorer', label: 'nav.explorer' },
  { page: 'cases', href: '/cases', label: 'nav.cases' },
  { page: 'reports', href: '/reports', label: 'nav.reports' },
];

/**
 * @typedef {object} PageContext
 * @property {() => void} update render again (after the page changed its state)
 * @property {import('./trust.js').Trust|null} trust set once the genesis is loaded
 * @property {boolean} offline the self-contained offline page (no navigation, no node)
 */

/**
 * @param {string} page the page's name (pages.json)
 * @param {{view: (ctx: PageContext) => any, start?: (ctx: PageContext) => void, offline?: boolean, wide?: boolean}} spec
 *   wide: the main part may use up to 1320 px (tables with many columns, e.g. the report's)
 */
export function startPage(page, { view, start, offline = false, wide = false }) {
  loadLanguage();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @type {PageContext} */
  const ctx = { update: () => {}, trust: null, offline };
  const render = () => {
    document.documentElement.lang = language();
    document.title = `${t(`${page === 'offline' ? 'offline' : page}.title`).replace(/ /g, '')} · ${t('site.title')}`;
    replace(app, header(page, offline), h('main', { class: ['main', wide && 'main--wide'], id: 'main' }, view(ctx)), footer(ctx, offline));
  };
  ctx.update = render;
  onLanguageChange(render);
  render();
  start?.(ctx);
}

function header(page, offline) {
  const other = language() === 'zh-CN' ? 'en' : 'zh-CN';
  return h(
    'header',
    { class: 'site-header' },
    h(
      'div',
      { class: 'site-header__inner' },
      h(
        'a',
        { class: 'site-brand', href: offline ? '#' : '/' },
        h('span', { class: 'site-brand__mark', 'aria-hidden': 'true' }, '证'),
        h('span', { class: 'site-brand__text' }, h('strong', null, t('site.title')), h('small', null, t('site.subtitle'))),
      ),
      h(
        'button',
        { class: 'language-switch', type: 'button', lang: other, title: t('site.languageLabel'), testid: 'language', on: { click: () => setLanguage(other) } },
        t('site.language'),
      ),
    ),
    offline
      ? h('nav', { class: 'site-nav' }, h('div', { class: 'site-nav__inner' }, h('span', { class: 'site-nav__item is-active' }, t('offline.noNetwork'))))
      : h(
          'nav',
          { class: 'site-nav', 'aria-label': t('site.title') },
          h(
            'div',
            { class: 'site-nav__inner' },
            NAV.map((item) =>
              h('a', { class: ['site-nav__item', item.page === page && 'is-active'], href: item.href, 'aria-current': item.page === page ? 'page' : null }, t(item.label)),
            ),
            h('a', { class: 'site-nav__item site-nav__item--end', href: '/evidence-verify.html', download: 'evidence-verify.html' }, t('nav.offline')),
          ),
        ),
  );
}

function footer(ctx, offline) {
  const genesis = ctx.trust?.genesis;
  return h(
    'footer',
    { class: 'site-footer' },
    h(
      'div',
      { class: 'site-footer__inner' },
      h('p', null, t('footer.local')),
      offline
        ? null
        : h(
            'p',
            { class: 'site-footer__chain' },
            genesis
              ? [t('footer.chain', { chain: genesis.chainId }), ' · ', h('span', { class: 'mono' }, t('footer.genesis', { fingerprint: `${genesis.hashName}:${genesis.fingerprint}` }))]
              : t('footer.noGenesis'),
          ),
    ),
  );
}
