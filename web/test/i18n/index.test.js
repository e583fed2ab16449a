import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TABLES, translate } from '../../src/i18n/index.js';

const PARAMS = { chain: 'c', fingerprint: 'f', name: 'n', size: 1, count: 2, check: 'k', power: 1, total: 1, height: 3, index: 0, detail: 'd', status: 500, caseId: 'C', agency: 'A', time: 'T', node: 'N', from: 'F', to: 'U', asOf: 'S', root: 'R', rules: 'L', shown: 3, threshold: 3, institutions: 4, blocks: 3, key: 'K', reason: 'R', effective: 'E', recordTime: 'RT' };

test('every language has every key, and every string renders', () => {
  const zh = Object.keys(TABLES['zh-CN']).sort();
  const en = Object.keys(TABLES.en).sort();
  assert.deepEqual(en, zh);
  for (const [language, table] of Object.entries(TABLES)) {
    for (const key of Object.keys(table)) {
      const text = translate(language, key, PARAMS);
      assert.equal(typeof text, 'string', `${language} ${key}`);
      assert.ok(text.length > 0 && !text.includes('undefined'), `${language} ${key}: ${text}`);
    }
  }
});

test('a missing key shows itself; an unknown language falls back to Chinese', () => {
  assert.equal(translate('en', 'no.such.key'), 'no.such.key');
  assert.equal(translate('fr', 'verdict.valid'), '有效');
  assert.equal(translate('en', 'verdict.valid'), 'Valid');
});
