import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldReader, SchemaError } from '../../src/verify/fields.js';

test('fields are required, typed, and unknown ones refused at finish', () => {
  const reader = new FieldReader({ a: 'x', n: 3, list: ['p'], extra: true }, 'thing');
  assert.equal(reader.string('a'), 'x');
  assert.equal(reader.unsigned('n'), 3);
  assert.deepEqual(reader.stringArray('list', 2), ['p']);
  assert.equal(reader.optional('absent'), undefined);
  assert.throws(() => reader.finish(), { name: 'SchemaError', message: /thing: unknown field "extra"/ });
  assert.throws(() => new FieldReader({}, 'x').string('a'), /missing field "a"/);
  assert.throws(() => new FieldReader({ a: 1 }, 'x').string('a'), /must be a string/);
  assert.throws(() => new FieldReader({ a: -1 }, 'x').unsigned('a'), /must not be negative/);
  assert.throws(() => new FieldReader({ a: 1.5 }, 'x').signed('a'), /must be an integer/);
  assert.throws(() => new FieldReader({ a: [1, 2, 3] }, 'x').array('a', 2), /more than 2/);
  assert.throws(() => new FieldReader([], 'x').required('a'), SchemaError);
});
