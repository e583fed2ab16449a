// web/src/report/ is pure like web/src/verify/: report JSON in, plain data out;
// no DOM, network, clock, randomness or storage (Date.parse of the report's own
// RFC 3339 times is arithmetic, not a clock).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WEB_DIR } from '../helpers/paths.js';

const FORBIDDEN = ['fetch', 'XMLHttpRequest', 'WebSocket', 'document', 'window', 'navigator', 'localStorage', 'sessionStorage', 'Date.now', 'new Date', 'Math.random', 'crypto', 'setTimeout', 'setInterval', 'requestAnimationFrame', 'import(', 'process', 'globalThis', 'echarts'].map(
  (word) => [word, new RegExp(`(?<![\\w.])${word.replace(/[.(]/g, '\\$&').replace(' ', '\\s+')}${/\w$/.test(word) ? '\\b' : ''}`)],
);

test('the report model touches no DOM, network, clock or storage, and draws nothing', () => {
  const dir = join(WEB_DIR, 'src', 'report');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 1);
  for (const file of files) {
    const code = readFileSync(join(dir, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
      .replace(/\/\/.*$/gm, '');
    for (const [word, pattern] of FORBIDDEN) assert.ok(!pattern.test(code), `${file} uses ${word}`);
  }
});
