// Reading a fixed-schema JSON object the way ledger/json_fields.h does: every
// field required unless read as optional, types checked, unknown members refused
// once the reader is finished. A failure throws a SchemaError carrying where it
// happened; callers turn it into their verdict. Pure.

export class SchemaError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SchemaError';
  }
}

export class FieldReader {
  /** @param {any} value @param {string} where e.g. "receipt.block" */
  constructor(value, where) {
    this.object = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
    this.where = where;
    /** @type {Set<string>} */
    this.read = new Set();
  }

  /** @param {string} detail */
  fail(detail) {
    return new SchemaError(`${this.where}: ${detail}`);
  }

  /** @param {string} name @returns {any} undefined when absent */
  optional(name) {
    if (this.object === null) throw this.fail('must be a JSON object');
    this.read.add(name);
    return Object.prototype.hasOwnProperty.call(this.object, name) ? this.object[name] : undefined;
  }

  /** @param {string} name */
  required(name) {
    const value = this.optional(name);
    if (value === undefined) throw this.fail(`missing field "${name}"`);
    return value;
  }

  /** @param {string} name @returns {string} */
  string(name) {
    const value = this.required(name);
    if (typeof value !== 'string') throw this.fail(`field "${name}" must be a string`);
    return value;
  }

  /** @param {string} name @returns {number} any safe integer */
  signed(name) {
    const value = this.required(name);
    if (!Number.isSafeInteger(value)) throw this.fail(`field "${name}" must be an integer`);
    return value;
  }

  /** @param {string} name @returns {number} a safe integer >= 0 */
  unsigned(name) {
    const value = this.signed(name);
    if (value < 0) throw this.fail(`field "${name}" must not be negative`);
    return value;
  }

  /** @param {string} name @param {number} maxElements @returns {any[]} */
  array(name, maxElements) {
    const value = this.required(name);
    if (!Array.isArray(value)) throw this.fail(`field "${name}" must be an array`);
    if (value.length > maxElements) throw this.fail(`field "${name}" has more than ${maxElements} elements`);
    return value;
  }

  /** @param {string} name @param {number} maxElements @returns {string[]} */
  stringArray(name, maxElements) {
    const value = this.array(name, maxElements);
    for (const element of value) {
      if (typeof element !== 'string') throw this.fail(`field "${name}" must hold strings`);
    }
    return value;
  }

  /** Refuses members that were never read. */
  finish() {
    if (this.object === null) throw this.fail('must be a JSON object');
    for (const key of Object.keys(this.object)) {
      if (!this.read.has(key)) throw this.fail(`unknown field "${key.slice(0, 64)}"`);
    }
  }
}
