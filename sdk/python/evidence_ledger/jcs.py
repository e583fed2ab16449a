"""RFC 8785 JSON Canonicalization Scheme (JCS) for the ledger's JSON.

The ledger signs and hashes canonical JSON: no white space, object members
sorted by their keys compared as UTF-16 code units, strings escaped as
ECMAScript's JSON.stringify does (``\\b \\t \\n \\f \\r \\" \\\\`` short forms, other
characters below U+0020 as ``\\u00xx``, everything else raw UTF-8, ``/`` not
escaped), and numbers that are integers within +-(2**53 - 1) (the ledger has
no fractions). Python's json module escapes strings exactly so with
``ensure_ascii=False``; this module adds the key order and the integer rules.
"""
import json

INTEGER_MAX = 2**53 - 1


class CanonicalJsonError(ValueError):
    """A value that has no canonical form in the ledger's JSON."""


def _utf16_key(key):
    return key.encode("utf-16-be")


def _write(value, out):
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -INTEGER_MAX <= value <= INTEGER_MAX:
            raise CanonicalJsonError(f"integer {value} is outside +-(2^53-1)")
        out.append(str(value))
    elif isinstance(value, float):
        raise CanonicalJsonError("floating-point numbers are not allowed; use integers")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise CanonicalJsonError("object keys must be strings")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    else:
        raise CanonicalJsonError(f"{type(value).__name__} has no JSON form")


def canonicalize(value):
    """The canonical JSON of ``value`` as UTF-8 bytes."""
    out = []
    _write(value, out)
    text = "".join(out)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate in a string
        raise CanonicalJsonError(f"a string is not valid Unicode: {error}") from None


def _reject_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise CanonicalJsonError("a JSON object repeats a key")
    return dict(pairs)


def _reject_float(text):
    raise CanonicalJsonError(f"number {text} is not an integer")


def _check_parsed(value, depth, max_depth):
    if isinstance(value, (dict, list)):
        if depth >= max_depth:
            raise CanonicalJsonError(f"more than {max_depth} levels of nesting")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str):
                _check_parsed(key, depth, max_depth)
            _check_parsed(item, depth + 1, max_depth)
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -INTEGER_MAX <= value <= INTEGER_MAX:
            raise CanonicalJsonError(f"integer {value} is outside +-(2^53-1)")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CanonicalJsonError("a string holds a lone surrogate") from None


def loads(text, max_depth=8):
    """Strict JSON parse, as the ledger parses: UTF-8 only (bytes are decoded
    strictly, no byte order mark), no duplicate keys, integers only within
    +-(2^53-1), no NaN, no lone surrogates, at most ``max_depth`` levels of nesting."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise CanonicalJsonError(f"not UTF-8: {error}") from None
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicates, parse_float=_reject_float,
                           parse_constant=_reject_float)
    except ValueError as error:
        if isinstance(error, CanonicalJsonError):
            raise
        raise CanonicalJsonError(f"not JSON: {error}") from None
    _check_parsed(value, 0, max_depth)
    return value
