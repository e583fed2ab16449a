// Public keys as genesis holds them (SPKI PEM, docs/receipt-format.md §1-2: the
// canonical PEM text only — "-----BEGIN PUBLIC KEY-----\n", base64 lines of 64
// characters, "-----END PUBLIC KEY-----\n" — of the canonical DER, with EC
// points uncompressed and on their curve, so that one key has one text and one
// id) and
// signature checks with them: Ed25519 (RFC 8032, strict as OpenSSL: no ZIP-215
// leniency), ECDSA P-256 with SHA-256 (DER signatures, high S accepted as OpenSSL
// does) and SM2 with SM3 and the distinguishing id "1234567812345678" (GB/T 32918,
// DER signatures). PEM is read by node-forge, SubjectPublicKeyInfo by
// @peculiar/asn1-x509, the curves are @noble/curves and sm-crypto-v2.
// Pure functions.
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/pem.js';
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { BasicConstraints, Certificate, SubjectPublicKeyInfo, id_ce_basicConstraints } from '@peculiar/asn1-x509';
import { ed25519 } from '@noble/curves/ed25519';
import { p256 } from '@noble/curves/p256';
import { sm2 } from 'sm-crypto-v2';
import { sha256 } from './hash.js';
import { equalBytes, toBase64, toHex } from './bytes.js';

export const SM2_DEFAULT_ID = '1234567812345678';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';
// Curve parameters (DER of the named-curve OID) inside id-ecPublicKey.
const CURVE_P256 = '06082a8648ce3d030107'; // 1.2.840.10045.3.1.7 prime256v1
const CURVE_SM2 = '06082a811ccf5501822d'; // 1.2.156.10197.1.301 sm2

/**
 * @typedef {object} PublicKey
 * @property {'ed25519'|'p256'|'sm2'} alg
 * @property {string} keyId hex SHA-256 of the DER SubjectPublicKeyInfo
 * @property {Uint8Array} point the raw public key (32 bytes, or an uncompressed point)
 * @property {string} pem its canonical PEM text (the register's JSON holds keys so)
 */

/**
 * A public key from SPKI PEM text, or an error saying why not.
 * @param {string} pem
 * @returns {{ok: true, key: PublicKey} | {ok: false, error: string}}
 */
export function parsePublicKeyPem(pem) {
  if (typeof pem !== 'string') return { ok: false, error: 'a key must be PEM text' };
  let messages;
  try {
    messages = forge.pem.decode(pem);
  } catch (error) {
    return { ok: false, error: `not PEM: ${error.message}` };
  }
  if (messages.length !== 1 || messages[0].type !== 'PUBLIC KEY') {
    return { ok: false, error: 'expected one "PUBLIC KEY" PEM block' };
  }
  const der = Uint8Array.from(messages[0].body, (c) => c.charCodeAt(0));
  const parsed = parsePublicKeyDer(der);
  if (parsed.ok && pem !== canonicalPem(der)) {
    return {
      ok: false,
      error: 'not in canonical PEM form ("-----BEGIN PUBLIC KEY-----\\n", base64 in lines of 64 characters, "-----END PUBLIC KEY-----\\n")',
    };
  }
  return parsed;
}

/**
 * An institution's TSA CA certificate as genesis holds it (ledger/genesis.cc,
 * crypto::ParseCaCertificate): one X.509 certificate in canonical PEM whose
 * basicConstraints say CA:TRUE.
 * @param {unknown} pem
 * @returns {{ok: true} | {ok: false, error: string}}
 */
export function checkCaCertificatePem(pem) {
  if (typeof pem !== 'string') return { ok: false, error: 'a certificate must be PEM text' };
  let messages;
  try {
    messages = forge.pem.decode(pem);
  } catch (error) {
    return { ok: false, error: `not PEM: ${error.message}` };
  }
  if (messages.length !== 1 || messages[0].type !== 'CERTIFICATE') {
    return { ok: false, error: 'expected one "CERTIFICATE" PEM block' };
  }
  const der = Uint8Array.from(messages[0].body, (c) => c.charCodeAt(0));
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  if (pem !== `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`) {
    return { ok: false, error: 'not one certificate in canonical PEM form' };
  }
  let certificate;
  try {
    certificate = AsnParser.parse(der, Certificate);
    const extension = (certificate.tbsCertificate.extensions ?? []).find((e) => e.extnID === id_ce_basicConstraints);
    const constraints = extension ? AsnParser.parse(extension.extnValue, BasicConstraints) : null;
    if (!constraints || !constraints.cA) return { ok: false, error: 'not a CA certificate (basicConstraints CA:TRUE)' };
  } catch (error) {
    return { ok: false, error: `not an X.509 certificate: ${error.message}` };
  }
  return { ok: true };
}

/** The one PEM text of a DER SubjectPublicKeyInfo. @param {Uint8Array} der */
export function canonicalPem(der) {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/**
 * @param {Uint8Array} der SubjectPublicKeyInfo
 * @returns {{ok: true, key: PublicKey} | {ok: false, error: string}}
 */
export function parsePublicKeyDer(der) {
  let spki;
  try {
    spki = AsnParser.parse(der, SubjectPublicKeyInfo);
  } catch (error) {
    return { ok: false, error: `not a SubjectPublicKeyInfo: ${error.message}` };
  }
  if (!equalBytes(new Uint8Array(AsnSerializer.serialize(spki)), der)) {
    return { ok: false, error: 'not the canonical DER encoding of a SubjectPublicKeyInfo' };
  }
  const point = new Uint8Array(spki.subjectPublicKey);
  const keyId = toHex(sha256(der));
  const pem = canonicalPem(der);
  const oid = spki.algorithm.algorithm;
  if (oid === OID_ED25519 && point.length === 32 && spki.algorithm.parameters == null) {
    return { ok: true, key: { alg: 'ed25519', keyId, point, pem } };
  }
  const curve = oid === OID_EC_PUBLIC_KEY && spki.algorithm.parameters ? toHex(new Uint8Array(spki.algorithm.parameters)) : '';
  const alg = curve === CURVE_P256 ? 'p256' : curve === CURVE_SM2 ? 'sm2' : null;
  if (alg === null) return { ok: false, error: `unsupported key (algorithm ${oid}); keys are Ed25519, P-256 or SM2` };
  if (point.length !== 65 || point[0] !== 4) {
    return { ok: false, error: `the ${alg} point is not uncompressed (one key, one encoding)` };
  }
  if (!onCurve(alg, point)) return { ok: false, error: `the ${alg} point is not on its curve` };
  return { ok: true, key: { alg, keyId, point, pem } };
}

function onCurve(alg, point) {
  try {
    if (alg === 'p256') return p256.ProjectivePoint.fromHex(point) !== null;
    return sm2.verifyPublicKey(toHex(point));
  } catch {
    return false;
  }
}

/**
 * Whether `signature` is `key`'s signature of `message`. Malformed signatures
 * and points are simply not valid (never an exception).
 * @param {PublicKey} key @param {Uint8Array} message @param {Uint8Array} signature
 * @returns {boolean}
 */
export function verifySignature(key, message, signature) {
  try {
    switch (key.alg) {
      case 'ed25519':
        return signature.length === 64 && ed25519.verify(signature, message, key.point, { zip215: false });
      case 'p256':
        return p256.verify(signature, message, key.point, { prehash: true, lowS: false, format: 'der' });
      case 'sm2':
        return sm2.doVerifySignature(message, toHex(signature), toHex(key.point), {
          der: true,
          hash: true,
          userId: SM2_DEFAULT_ID,
        });
      default:
        return false;
    }
  } catch {
    return false;
  }
}
