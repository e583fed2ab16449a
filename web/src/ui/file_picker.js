// A drop zone with a file input: drop a file on it, or pick one. The input
// carries the page's stable hook (data-testid="document" for the document).
import { t } from '../i18n/index.js';
import { h, svg } from './dom.js';

/**
 * @param {{id: string, testid: string, title: string, hint?: string, accept?: string,
 *          chosen?: string|null, compact?: boolean, onFile: (file: File) => void}} options
 */
export function filePicker({ id, testid, title, hint, accept, chosen = null, compact = false, onFile }) {
  const input = h('input', {
    type: 'file',
    id,
    testid,
    accept,
    class: 'visually-hidden',
    on: {
      change: (event) => {
        const file = event.target.files?.[0];
        if (file) onFile(file);
      },
    },
  });
  const zone = h(
    'div',
    { class: ['dropzone', compact && 'dropzone--compact', chosen && 'dropzone--chosen'] },
    h('div', { class: 'dropzone__icon', 'aria-hidden': 'true' }, chosen ? '✓' : documentIcon()),
    h('p', { class: 'dropzone__title' }, title),
    chosen ? h('p', { class: 'dropzone__chosen' }, chosen) : h('p', { class: 'dropzone__text' }, t('verify.drop'), ' ', t('verify.or')),
    h('label', { class: 'button', for: id }, chosen ? t('offline.choose') : t('verify.pick')),
    input,
    hint ? h('p', { class: 'dropzone__hint' }, hint) : null,
  );
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dropzone--over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dropzone--over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dropzone--over');
    const file = event.dataTransfer?.files?.[0];
    if (file) onFile(file);
  });
  return zone;
}

// A sheet of paper with a folded corner and text lines.
function documentIcon() {
  return svg(
    'svg',
    { viewBox: '0 0 40 48', width: '40', height: '48', class: 'dropzone__svg' },
    svg('path', { d: 'M4 2h22l10 10v32a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z', fill: '#fff', stroke: 'currentColor', 'stroke-width': '2.5' }),
    svg('path', { d: 'M26 2v10h10', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.5' }),
    svg('path', { d: 'M10 22h20M10 29h20M10 36h13', stroke: 'currentColor', 'stroke-width': '2.5', 'stroke-linecap': 'round' }),
  );
}
