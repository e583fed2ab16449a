import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromBase64, fromHex } from '../../src/verify/bytes.js';
import { parsePublicKeyDer, parsePublicKeyPem, verifySignature } from '../../src/verify/keys.js';
import { readRecord, signingBytes } from '../../src/verify/record.js';
import { evidenceCli, vector } from '../helpers/paths.js';

// Wycheproof "acceptable" cases may go either way; valid and invalid must match.
function checkWycheproof(file, alg) {
  const suite = vector(file);
  let checked = 0;
  for (const group of suite.testGroups) {
    const parsed = parsePublicKeyDer(/** @type {Uint8Array} */ (fromHex(group.publicKeyDer)));
    assert.ok(parsed.ok, `${file}: a group's key does not parse: ${parsed.ok || parsed.error}`);
    assert.equal(parsed.key.alg, alg);
    for (const t of group.tests) {
      if (t.result === 'acceptable') continue;
      const verified = verifySignature(parsed.key, /** @type {Uint8Array} */ (fromHex(t.msg)), /** @type {Uint8Array} */ (fromHex(t.sig)));
      assert.equal(verified, t.result === 'valid', `${file} tcId ${t.tcId}: ${t.comment}`);
      checked++;
    }
  }
  return checked;
}

test('Ed25519 agrees with Wycheproof (strict RFC 8032, as OpenSSL)', () => {
  assert.ok(checkWycheproof('wycheproof-ed25519.json', 'ed25519') > 100);
});

test('ECDSA P-256 agrees with Wycheproof (DER only, high S accepted, as OpenSSL)', () => {
  assert.ok(checkWycheproof('wycheproof-ecdsa-p256-sha256.json', 'p256') > 300);
});

test('PEM that is not one SPKI public key is refused with a reason', () => {
  assert.equal(parsePublicKeyPem('not pem').ok, false);
  const rsa = '-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMKZcz0vVXE7C8/AbAY1Ldn5j5vnjgvTqRz2Ic3+VdVTJmyGaHbbjWs/8AyGd7eT2RxOvb1ICRYTxzk5YvBgTgkCAwEAAQ==\n-----END PUBLIC KEY-----\n';
  const parsed = parsePublicKeyPem(rsa);
  assert.equal(parsed.ok, false);
  assert.match(parsed.error, /unsupported key/);
  assert.equal(parsePublicKeyPem(rsa.replace('PUBLIC KEY', 'PRIVATE KEY').replace('PUBLIC KEY', 'PRIVATE KEY')).ok, false);
});

// The C++ side signs (OpenSSL), this side verifies: records signed by
// `evidence sign` with fresh keys of each algorithm. Twenty per algorithm puts
// high-S P-256 signatures and SM2's distinguishing id to the test.
test('signatures the C++ CLI makes verify here, and a changed message does not', (t) => {
  const cli = evidenceCli();
  if (!cli) return t.skip('the evidence CLI is not built (set EVIDENCE_CLI)');
  const dir = mkdtempSync(join(tmpdir(), 'web-keys-'));
  try {
    writeFileSync(join(dir, 'doc.txt'), '行政处罚决定书');
    for (const alg of ['ed25519', 'p256', 'sm2']) {
      const key = join(dir, `${alg}.pem`);
      const pub = join(dir, `${alg}.pub`);
      execFileSync(cli, ['keygen', '--alg', alg, '--out', key, '--pub', pub]);
      const parsed = parsePublicKeyPem(readFileSync(pub, 'utf8'));
      assert.ok(parsed.ok && parsed.key.alg === alg, alg);
      for (let i = 0; i < 20; i++) {
        const hash = i % 2 ? 'sm3' : 'sha256';
        const args = ['sign', '--key', key, '--agency', 'a', '--kind', 'other', '--case', `C-${i}`, '--chain-id', 'x', '--hash', hash, join(dir, 'doc.txt')];
        const record = readRecord(JSON.parse(execFileSync(cli, args, { encoding: 'utf8' })));
        assert.equal(record.sig.key, parsed.key.keyId, 'key id = SHA-256 of the SPKI DER');
        const message = signingBytes(record);
        const signature = /** @type {Uint8Array} */ (fromBase64(record.sig.value));
        assert.equal(verifySignature(parsed.key, message, signature), true, `${alg} #${i}`);
        message[message.length - 2] ^= 1;
        assert.equal(verifySignature(parsed.key, message, signature), false, `${alg} #${i} changed`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only the canonical PEM of the canonical DER, with points uncompressed and on the curve', async () => {
  const { genesis } = await import('../helpers/example.js');
  const { canonicalPem } = await import('../../src/verify/keys.js');
  const { fromHex: hex } = await import('../../src/verify/bytes.js');
  const { p256 } = await import('@noble/curves/p256');
  const suite = vector('wycheproof-ecdsa-p256-sha256.json');
  const der = /** @type {Uint8Array} */ (hex(suite.testGroups[0].publicKeyDer));
  const pem = canonicalPem(der);
  assert.equal(parsePublicKeyPem(pem).ok, true);
  assert.match(parsePublicKeyPem(pem.replace(/\n/g, '\r\n')).error, /canonical PEM/, 'CRLF');
  assert.match(parsePublicKeyPem(pem.replace(/\n(?!-----END)(?=[A-Za-z0-9+/])/g, '')).error, /canonical PEM/, 'one line');
  assert.match(parsePublicKeyPem(pem.trimEnd()).error, /canonical PEM/, 'no final newline');
  const point = der.slice(der.length - 65);
  const compressed = p256.ProjectivePoint.fromHex(point).toRawBytes(true);
  const prefix = /** @type {Uint8Array} */ (hex('3039301306072a8648ce3d020106082a8648ce3d030107032200'));
  const compressedDer = new Uint8Array([...prefix, ...compressed]);
  assert.match(parsePublicKeyDer(compressedDer).error, /not uncompressed/);
  const offCurve = der.slice();
  offCurve[offCurve.length - 1] ^= 1;
  assert.match(parsePublicKeyDer(offCurve).error, /not on its curve/);
  const trailing = new Uint8Array([...der, 0]);
  assert.equal(parsePublicKeyDer(trailing).ok, false, 'trailing bytes');
  // The example genesis holds canonical keys (ledger::Genesis::ToJson writes them).
  assert.ok(genesis.validators.every((v) => v.voteKey.alg === 'ed25519'));
});
