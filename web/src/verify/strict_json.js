// Strict JSON, as ledger/json.h parses signed and hashed data: refuses invalid
// JSON, duplicate object keys, numbers that are not integers (fractions,
// exponents) or fall outside ±(2^53−1), comments, trailing commas or data,
// whitespace other than space, tab, CR and LF, lone UTF-16 surrogates, nesting
// deeper than `maxDepth` containers and text longer than `maxBytes` UTF-8 bytes.
// Tokenising and parsing are jsonc-parser's (the parser of VS Code); this module
// only adds the refusals a lenient parser would let through.
// Objects come back without a prototype, so a key such as "__proto__" is an
// ordinary (and, for our formats, unknown) member.
// Pure functions.
import { createScanner, parseTree, printParseErrorCode } from 'jsonc-parser';
import { utf8 } from './bytes.js';

export const JSON_INTEGER_MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1

const SCAN_TRIVIA = 15; // SyntaxKind.Trivia
const SCAN_LINE_BREAK = 14; // SyntaxKind.LineBreakTrivia
const SCAN_COMMENTS = [12, 13]; // LineCommentTrivia, BlockCommentTrivia
const SCAN_EOF = 17;

/**
 * @typedef {{ok: true, value: any} | {ok: false, error: string}} JsonResult
 */

/**
 * @param {string} text
 * @param {{maxBytes: number, maxDepth: number}} limits
 * @returns {JsonResult}
 */
export function parseStrictJson(text, { maxBytes, maxDepth }) {
  if (typeof text !== 'string') return fail('not text');
  const bytes = utf8(text).length;
  if (bytes > maxBytes) return fail(`JSON text of ${bytes} bytes is over the limit of ${maxBytes}`);
  const triviaError = checkTrivia(text);
  if (triviaError) return fail(triviaError);
  /** @type {import('jsonc-parser').ParseError[]} */
  const errors = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) {
    const first = errors[0];
    return fail(`invalid JSON at offset ${first.offset}: ${printParseErrorCode(first.error)}`);
  }
  if (root === undefined) return fail('invalid JSON: empty text');
  try {
    return { ok: true, value: toValue(root, text, 0, maxDepth) };
  } catch (error) {
    if (error instanceof StrictJsonError) return fail(error.message);
    throw error;
  }
}

class StrictJsonError extends Error {}

/** @returns {{ok: false, error: string}} */
function fail(error) {
  return { ok: false, error };
}

// Whitespace between tokens may only be what RFC 8259 allows.
function checkTrivia(text) {
  const scanner = createScanner(text, false);
  for (let kind = scanner.scan(); kind !== SCAN_EOF; kind = scanner.scan()) {
    if (SCAN_COMMENTS.includes(kind)) return `invalid JSON at offset ${scanner.getTokenOffset()}: a comment`;
    if (kind === SCAN_TRIVIA || kind === SCAN_LINE_BREAK) {
      if (!/^[ \t\r\n]*$/.test(scanner.getTokenValue())) {
        return `invalid JSON at offset ${scanner.getTokenOffset()}: whitespace JSON does not allow`;
      }
    }
  }
  return null;
}

/**
 * @param {import('jsonc-parser').Node} node
 * @param {string} text
 * @param {number} depth containers already open around `node`
 * @param {number} maxDepth
 */
function toValue(node, text, depth, maxDepth) {
  switch (node.type) {
    case 'object': {
      if (depth >= maxDepth) throw new StrictJsonError(`nesting deeper than ${maxDepth} levels`);
      const out = Object.create(null);
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        const key = checkString(keyNode.value, keyNode.offset);
        if (Object.prototype.hasOwnProperty.call(out, key)) {
          throw new StrictJsonError(`duplicate key "${key.slice(0, 64)}" at offset ${keyNode.offset}`);
        }
        out[key] = toValue(valueNode, text, depth + 1, maxDepth);
      }
      return out;
    }
    case 'array': {
      if (depth >= maxDepth) throw new StrictJsonError(`nesting deeper than ${maxDepth} levels`);
      return (node.children ?? []).map((child) => toValue(child, text, depth + 1, maxDepth));
    }
    case 'number': {
      const raw = text.substr(node.offset, node.length);
      if (!/^-?(0|[1-9][0-9]*)$/.test(raw)) {
        throw new StrictJsonError(`number ${raw.slice(0, 32)} at offset ${node.offset} is not an integer`);
      }
      if (!Number.isSafeInteger(node.value)) {
        throw new StrictJsonError(`integer ${raw.slice(0, 32)} at offset ${node.offset} is outside ±(2^53−1)`);
      }
      return node.value === 0 ? 0 : node.value; // -0 is 0
    }
    case 'string':
      return checkString(node.value, node.offset);
    case 'boolean':
    case 'null':
      return node.value;
    default:
      throw new StrictJsonError(`unexpected JSON node ${node.type}`);
  }
}

function checkString(value, offset) {
  // A lone surrogate (from a \ud800 escape) is not a Unicode string.
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
    throw new StrictJsonError(`string at offset ${offset} holds a lone UTF-16 surrogate`);
  }
  return value;
}
