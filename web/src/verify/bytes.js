// Byte helpers for the verifier: strict lower-case hex, canonical base64
// (RFC 4648 §4 with padding, as common/encoding.cc accepts it), UTF-8, and the
// big-endian integers of the signed byte formats (docs/receipt-format.md §1).
// Pure functions; nothing here touches the DOM, the network or the clock.
import { base64 } from '@scure/base';

const encoder = new TextEncoder();
// Refuses bytes that are not UTF-8 and keeps a byte-order mark (which strict JSON
// then refuses), where a lenient decode would substitute or drop silently.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const HEX_DIGITS = '0123456789abcdef';

/** @param {Uint8Array} bytes @returns {string} lower-case hex */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  return out;
}

/**
 * Lower-case hex of exactly `length` digits (any length when omitted), else null.
 * @param {string} text @param {number} [length] @returns {Uint8Array|null}
 */
export function fromHex(text, length) {
  if (typeof text !== 'string' || text.length % 2 !== 0) return null;
  if (length !== undefined && text.length !== length) return null;
  if (!/^[0-9a-f]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

/** @param {string} text @returns {boolean} 64 lower-case hex digits */
export function isDigestHex(text) {
  return typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);
}

/**
 * The bytes of canonical base64 (the only encoding that re-encodes to the same
 * text), else null. The empty string is zero bytes.
 * @param {string} text @returns {Uint8Array|null}
 */
export function fromBase64(text) {
  if (typeof text !== 'string') return null;
  if (text === '') return new Uint8Array(0);
  try {
    const bytes = base64.decode(text);
    return base64.encode(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

/** @param {Uint8Array} bytes @returns {string} */
export function toBase64(bytes) {
  return base64.encode(bytes);
}

/** @param {string} text @returns {Uint8Array} its UTF-8 bytes */
export function utf8(text) {
  return encoder.encode(text);
}

/** @param {Uint8Array} bytes @returns {string|null} the text, or null when not UTF-8 */
export function decodeUtf8(bytes) {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** @param {...Uint8Array} parts @returns {Uint8Array} */
export function concat(...parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** @param {Uint8Array} a @param {Uint8Array} b @returns {boolean} */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** @param {number} value 0..255 */
export function u8(value) {
  return Uint8Array.of(value);
}

/** @param {number} value 0..2^16-1 */
export function u16(value) {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value);
  return out;
}

/** @param {number} value 0..2^32-1 */
export function u32(value) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** @param {number} value a safe integer >= 0 */
export function u64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/** @param {number} value a safe integer (two's complement when negative) */
export function i64(value) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value));
  return out;
}
