// docs/design.md and ../shared/STYLE.md: web/src/verify/ is pure — no DOM, no
// network, no clock, no randomness, no storage — so the portal, the offline page
// and these tests all run the same checks on the same inputs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WEB_DIR } from '../helpers/paths.js';

// Globals as code uses them (not as parts of module paths such as './document.js').
const FORBIDDEN = ['fetch', 'XMLHttpRequest', 'WebSocket', 'document', 'window', 'navigator', 'localStorage', 'sessionStorage', 'Date', 'Math.random', 'crypto', 'setTimeout', 'setInterval', 'import(', 'process', 'globalThis'].map(
  (word) => [word, new RegExp(`(?<![\\w.])${word.replace(/[.(]/g, '\\$&')}${/\w$/.test(word) ? '\\b' : ''}`)],
);

test('the verifier modules touch no DOM, network, clock or storage', () => {
  const dir = join(WEB_DIR, 'src', 'verify');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 10);
  for (const file of files) {
    // Comments and string literals are words for people, not code.
    const code = readFileSync(join(dir, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
      .replace(/\/\/.*$/gm, '');
    for (const [word, pattern] of FORBIDDEN) assert.ok(!pattern.test(code), `${file} uses ${word}`);
  }
});

test('only api.js calls the node', () => {
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const callers = walk(join(WEB_DIR, 'src')).filter((f) => f.endsWith('.js') && /\bfetch\(|XMLHttpRequest|sendBeacon/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(callers.map((f) => f.slice(WEB_DIR.length + 1)), ['src/api.js']);
});
