import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStrictJson } from '../../src/verify/strict_json.js';

const limits = { maxBytes: 1000, maxDepth: 3 };

test('accepts plain JSON with integers', () => {
  assert.deepEqual({ ...parseStrictJson(' {"a": [1, -2, "x"], "b": null}\n', limits).value }, { a: [1, -2, 'x'], b: null });
});

test('refuses what ledger/json.h refuses', () => {
  const refused = {
    duplicate: '{"a":1,"a":2}',
    fraction: '{"a":1.0}',
    exponent: '{"a":1e3}',
    'beyond 2^53-1': '{"a":9007199254740992}',
    'too deep': '{"a":[[[1]]]}',
    'lone surrogate': '{"a":"\\ud800"}',
    'trailing data': '{"a":1} x',
    'trailing comma': '{"a":1,}',
    comment: '{"a":1} // note',
    'no-break space': '\u00a0{}',
    'raw tab in a string': '{"a":"x\ty"}',
    empty: '',
    'too long': `{"a":"${'x'.repeat(1000)}"}`,
  };
  for (const [what, text] of Object.entries(refused)) {
    const result = parseStrictJson(text, limits);
    assert.equal(result.ok, false, what);
    assert.ok(result.error.length > 0, what);
  }
});

test('a "__proto__" key is an ordinary member, seen as unknown later', () => {
  const result = parseStrictJson('{"__proto__":{"x":1}}', limits);
  assert.ok(result.ok);
  assert.deepEqual(Object.keys(result.value), ['__proto__']);
  assert.equal(Object.getPrototypeOf(result.value), null);
});
