import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519';
import { concat, fromBase64, toBase64, toHex, u64, utf8 } from '../../src/verify/bytes.js';
import { noteKeyId, parseNote, verifyCheckpoint } from '../../src/verify/checkpoint.js';
import { evidenceCli } from '../helpers/paths.js';

// A chain of two Ed25519 validators and one witness, keys made here.
function makeChain() {
  const validatorSecrets = [ed25519.utils.randomPrivateKey(), ed25519.utils.randomPrivateKey()];
  const witnessSecret = ed25519.utils.randomPrivateKey();
  const key = (secret) => ({ alg: 'ed25519', keyId: '', point: ed25519.getPublicKey(secret) });
  const genesis = {
    chainId: 'test-chain',
    validators: [
      { name: 'court', voteKey: key(validatorSecrets[0]) },
      { name: 'notary', voteKey: key(validatorSecrets[1]) },
    ],
    witnesses: [{ name: 'witness.example/w1', key: key(witnessSecret) }],
  };
  return { genesis, validatorSecrets, witnessSecret };
}

const ROOT = new Uint8Array(32).fill(7);
const FACTS = { treeSize: 42, logRoot: toHex(ROOT) };
const TEXT = `test-chain\n42\n${toBase64(ROOT)}\n`;

function validatorLine(chain, index, text = TEXT) {
  const name = `test-chain/${chain.genesis.validators[index].name}`;
  const id = noteKeyId(name, 0x01, chain.genesis.validators[index].voteKey.point);
  const signature = ed25519.sign(utf8(text), chain.validatorSecrets[index]);
  return `\u2014 ${name} ${toBase64(concat(id, signature))}\n`;
}

function witnessLine(chain, time, text = TEXT, forge = false) {
  const name = 'witness.example/w1';
  const id = noteKeyId(name, 0x04, chain.genesis.witnesses[0].key.point);
  const signature = ed25519.sign(concat(utf8(`cosignature/v1\ntime ${time}\n`), utf8(text)), chain.witnessSecret);
  if (forge) signature[0] ^= 1;
  return `\u2014 ${name} ${toBase64(concat(id, u64(time), signature))}\n`;
}

test('a checkpoint of the receipt block signed by a validator and cosigned by a witness holds', () => {
  const chain = makeChain();
  const note = `${TEXT}\n${validatorLine(chain, 1)}${witnessLine(chain, 1800000000)}`;
  const verdict = verifyCheckpoint(note, chain.genesis, FACTS);
  assert.equal(verdict.verdict, 'valid', verdict.detail);
  assert.deepEqual(verdict.validators, ['notary']);
  assert.deepEqual(verdict.witnesses, [{ name: 'witness.example/w1', time: 1800000000 }]);
  assert.equal(verdict.size, 42);
  // A signature by a key nobody knows is ignored (c2sp.org/signed-note).
  const stranger = `\u2014 someone.example/k ${toBase64(new Uint8Array(68).fill(1))}\n`;
  assert.equal(verifyCheckpoint(`${TEXT}\n${stranger}${witnessLine(chain, 5)}`, chain.genesis, FACTS).verdict, 'valid');
});

test('every bad checkpoint is refused with its reason', () => {
  const chain = makeChain();
  const good = validatorLine(chain, 0);
  const otherText = `test-chain\n43\n${toBase64(ROOT)}\n`;
  const forged = witnessLine(chain, 7, TEXT, true);
  const cases = [
    ['not a note', 'test-chain\n42\n', 'checkpoint.malformed'],
    ['no blank line', `${TEXT}${good}`, 'checkpoint.malformed'],
    ['not a checkpoint text', `hello\n\n${good}`, 'checkpoint.malformed'],
    ['another chain', `other\n42\n${toBase64(ROOT)}\n\n${good}`, 'checkpoint.other_chain'],
    ['another tree head', `${otherText}\n${validatorLine(chain, 0, otherText)}`, 'checkpoint.other_tree_head'],
    ['a validator signature of another text', `${TEXT}\n${validatorLine(chain, 0, otherText)}`, 'checkpoint.bad_signature'],
    ['a forged cosignature', `${TEXT}\n${forged}`, 'checkpoint.bad_cosignature'],
    ['no known signature', `${TEXT}\n\u2014 someone.example/k ${toBase64(new Uint8Array(68))}\n`, 'checkpoint.unsigned'],
  ];
  for (const [name, note, code] of cases) {
    const verdict = verifyCheckpoint(note, chain.genesis, FACTS);
    assert.equal(verdict.verdict, 'invalid', name);
    assert.equal(verdict.code, code, `${name}: ${verdict.detail}`);
  }
});

test('parseNote splits a note and refuses what is not one', () => {
  const chain = makeChain();
  const parsed = parseNote(`${TEXT}\n${validatorLine(chain, 0)}`);
  assert.ok(parsed);
  assert.equal(parsed.text, TEXT);
  assert.equal(parsed.signatures.length, 1);
  assert.equal(parseNote(`${TEXT}\n\u2014 name with space AAAAAAAA\n`), null);
  assert.equal(parseNote(`${TEXT}\n`), null);
  assert.equal(parseNote('x'.repeat(17000)), null);
});

test("a witness's key id is the one `evidence witness --vkey` prints", (t) => {
  const cli = evidenceCli();
  if (cli === null) return t.skip('build/bin/evidence is not built');
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-test-'));
  try {
    execFileSync(cli, ['keygen', '--alg', 'ed25519', '--out', join(dir, 'w.pem')]);
    const vkey = execFileSync(cli, ['witness', '--key', join(dir, 'w.pem'), '--name', 'witness.example/w9', '--vkey'])
      .toString()
      .trim();
    // name+<8 hex>+<base64>: the base64 may hold '+' too.
    const [, name, idHex, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey) ?? [];
    const bytes = /** @type {Uint8Array} */ (fromBase64(material));
    assert.equal(bytes[0], 0x04);
    assert.equal(toHex(noteKeyId(name, 0x04, bytes.slice(1))), idHex);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
