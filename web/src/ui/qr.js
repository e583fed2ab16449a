// QR codes as inline SVG, made by the `qrcode` package (error correction M).
import QRCode from 'qrcode';

/**
 * @param {string} text
 * @returns {Promise<SVGElement>}
 */
export async function qrSvg(text) {
  const markup = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const element = /** @type {SVGElement} */ (document.importNode(parsed.documentElement, true));
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', text);
  element.setAttribute('data-testid', 'qr');
  return element;
}
