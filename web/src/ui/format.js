// How values are shown: times in China Standard Time (UTC+8, no daylight saving,
// so plain arithmetic suffices and no time-zone database is needed), record kinds
// and stages by their names in the current language, hashes shortened for tables.
import { has, t } from '../i18n/index.js';

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** "2026-01-01 08:00:06" in Beijing time. @param {number} ms */
export function formatTime(ms, { millis = false } = {}) {
  const d = new Date(ms + CST_OFFSET_MS);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date} ${time}${millis ? '.' + pad(d.getUTCMilliseconds(), 3) : ''}`;
}

/** "2026-01-01 08:00:06.123 北京时间 (UTC+8)". @param {number} ms */
export function formatTimeLong(ms) {
  return `${formatTime(ms, { millis: true })} ${t('time.zone')} (UTC+8)`;
}

/** ISO 8601 UTC, for <time datetime>. @param {number} ms */
export function isoTime(ms) {
  return new Date(ms).toISOString();
}

/** @param {string} kind */
export function kindName(kind) {
  return has(`kind.${kind}`) ? t(`kind.${kind}`) : kind;
}

/** A known stage by name, others as written. @param {string} stage */
export function stageName(stage) {
  return has(`stage.${stage}`) ? t(`stage.${stage}`) : stage;
}

/** "3f2a9c…b81e" @param {string} hex */
export function shortHash(hex, keep = 10) {
  return hex.length <= 2 * keep ? hex : `${hex.slice(0, keep)}…${hex.slice(-6)}`;
}

/** 1234567 -> "1,234,567" @param {number|bigint} n */
export function formatCount(n) {
  return n.toLocaleString('en-US');
}

/**
 * The portal path of a record's page (or its certificate): the id as one encoded
 * path segment, whatever a node sent.
 * @param {string} id @param {'page'|'certificate'} [which]
 */
export function recordPath(id, which = 'page') {
  const base = `/records/${encodeURIComponent(id)}`;
  return which === 'certificate' ? `${base}/certificate` : base;
}
