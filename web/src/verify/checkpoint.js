// A signed checkpoint beside a receipt (docs/receipt-format.md §8, docs/witness.md):
// a C2SP signed note (c2sp.org/signed-note) whose text is a tlog-checkpoint of
// this chain, signed by validators of genesis and cosigned by outside witnesses
// (c2sp.org/tlog-cosignature). Pure, like the rest of verify/: text, genesis and
// the receipt's facts in, a verdict out — the same rules as `evidence verify
// --checkpoint` (api/cli/cmd_verify.cc CheckCheckpoint):
//   - the note is well-formed: text ending in "\n", a blank line, signature lines
//     "— <name> <base64(4-byte key id || signature)>";
//   - the text is "<chain id>\n<tree size>\n<base64 root>\n" of this chain, and
//     its size and root are the receipt's block's (log_size, log_root): a later
//     checkpoint would need a consistency proof, which an offline check lacks;
//   - every signature by a known key verifies (validators' vote keys as key
//     name "<chain id>/<validator name>": Ed25519 type 0x01, P-256 / SM2 type
//     0xff; genesis's witnesses, type 0x04 with its time), and at least one does.
// Signatures by unknown keys are ignored, as the spec says.
import { concat, equalBytes, fromBase64, toHex, u64, u8, utf8 } from './bytes.js';
import { sha256 } from './hash.js';
import { verifySignature } from './keys.js';

const NOTE_BYTES_MAX = 16 * 1024; // crypto::kNoteBytesMax
const SIGNATURES_MAX = 64; // crypto::kNoteSignaturesMax
const TYPE_ED25519 = 0x01;
const TYPE_COSIGNATURE = 0x04;
const TYPE_OTHER = 0xff;
// The SubjectPublicKeyInfo DER of an uncompressed P-256 / SM2 point: this prefix || point.
const SPKI_PREFIX = {
  p256: '3059301306072a8648ce3d020106082a8648ce3d030107034200',
  sm2: '3059301306072a8648ce3d020106082a811ccf5501822d034200',
};
const OTHER_IDENTIFIER = { p256: 'evidence-ledger/p256', sm2: 'evidence-ledger/sm2' };

/**
 * @typedef {{verdict: 'valid'|'invalid', check: string|null, code: string|null, detail: string,
 *            size?: number, root?: string, validators?: string[],
 *            witnesses?: {name: string, time: number}[]}} CheckpointVerdict
 */

function fromHexString(hex) {
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** The 4-byte key id: SHA-256(name || "\n" || type || key material)[:4]. */
export function noteKeyId(name, type, material) {
  return sha256(concat(utf8(name), utf8('\n'), u8(type), material)).slice(0, 4);
}

/** @returns {{name: string, id: Uint8Array, type: number, key: any}} */
function validatorKey(chainId, validator) {
  const name = `${chainId}/${validator.name}`;
  const key = validator.voteKey;
  if (key.alg === 'ed25519') return { name, id: noteKeyId(name, TYPE_ED25519, key.point), type: TYPE_ED25519, key };
  const spki = concat(fromHexString(SPKI_PREFIX[key.alg]), key.point);
  return { name, id: noteKeyId(name, TYPE_OTHER, concat(utf8(OTHER_IDENTIFIER[key.alg]), spki)), type: TYPE_OTHER, key };
}

function invalid(code, detail) {
  return { verdict: 'invalid', check: 'checkpoint', code, detail };
}

/**
 * Splits a signed note. Null when it is not one.
 * @param {string} note
 * @returns {{text: string, signatures: {name: string, id: Uint8Array, signature: Uint8Array}[]}|null}
 */
export function parseNote(note) {
  if (typeof note !== 'string' || utf8(note).length > NOTE_BYTES_MAX) return null;
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length < 1 || lines.length > SIGNATURES_MAX) return null;
  const signatures = [];
  for (const line of lines) {
    const match = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!match) return null;
    const bytes = fromBase64(match[2]);
    if (bytes === null || bytes.length < 5) return null;
    signatures.push({ name: match[1], id: bytes.slice(0, 4), signature: bytes.slice(4) });
  }
  return { text, signatures };
}

/**
 * @param {string} note the signed checkpoint as /checkpoint served it
 * @param {any} genesis parseGenesis's value
 * @param {{treeSize: number, logRoot: string}} facts the receipt's verified facts
 * @returns {CheckpointVerdict}
 */
export function verifyCheckpoint(note, genesis, facts) {
  const parsed = parseNote(note);
  if (parsed === null) return invalid('checkpoint.malformed', 'not a signed note (text, a blank line, signature lines)');
  const lines = parsed.text.split('\n');
  const rootBytes = lines.length === 4 ? fromBase64(lines[2]) : null;
  if (lines.length !== 4 || !/^(0|[1-9][0-9]{0,15})$/.test(lines[1]) || rootBytes === null || rootBytes.length !== 32) {
    return invalid('checkpoint.malformed', 'the text is not "<origin>\\n<tree size>\\n<base64 root>\\n"');
  }
  if (lines[0] !== genesis.chainId) return invalid('checkpoint.other_chain', `the checkpoint is of "${lines[0]}", not ${genesis.chainId}`);
  const size = Number(lines[1]);
  const root = toHex(rootBytes);
  if (size !== facts.treeSize || root !== facts.logRoot) {
    return invalid(
      'checkpoint.other_tree_head',
      `the checkpoint (tree size ${size}) is not the tree head of this receipt's block (size ${facts.treeSize}); a later one needs a consistency proof`,
    );
  }
  const text = utf8(parsed.text);
  const validators = genesis.validators.map((v) => ({ ...validatorKey(genesis.chainId, v), label: v.name }));
  const witnesses = (genesis.witnesses ?? []).map((w) => ({ name: w.name, id: noteKeyId(w.name, TYPE_COSIGNATURE, w.key.point), key: w.key }));
  /** @type {string[]} */ const signedBy = [];
  /** @type {{name: string, time: number}[]} */ const cosignedBy = [];
  for (const signature of parsed.signatures) {
    const validator = validators.find((v) => v.name === signature.name && equalBytes(v.id, signature.id));
    if (validator) {
      if (!verifySignature(validator.key, text, signature.signature)) {
        return invalid('checkpoint.bad_signature', `the signature of validator ${validator.label} does not verify`);
      }
      signedBy.push(validator.label);
      continue;
    }
    const witness = witnesses.find((w) => w.name === signature.name && equalBytes(w.id, signature.id));
    if (!witness) continue;
    const stamp = signature.signature.slice(0, 8);
    const time = Number(new DataView(stamp.buffer, stamp.byteOffset, 8).getBigUint64(0));
    const message = concat(utf8(`cosignature/v1\ntime ${time}\n`), text);
    if (signature.signature.length !== 72 || !equalBytes(stamp, u64(time)) || !verifySignature(witness.key, message, signature.signature.slice(8))) {
      return invalid('checkpoint.bad_cosignature', `the cosignature of witness ${witness.name} does not verify`);
    }
    cosignedBy.push({ name: witness.name, time });
  }
  if (signedBy.length === 0 && cosignedBy.length === 0) {
    return invalid('checkpoint.unsigned', 'no validator of genesis and no witness of genesis signed it');
  }
  return { verdict: 'valid', check: null, code: null, detail: 'every known signature holds', size, root, validators: signedBy, witnesses: cosignedBy };
}

