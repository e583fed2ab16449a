"""The canonical form of a case id (案号), so that one case is one trail.

Full-width forms of ASCII characters (U+FF01..U+FF5E: （ ） ０-９ ...) become the
ASCII characters they stand for; white space and invisible separators (U+0020,
U+00A0, U+1680, U+2000..U+200B, U+202F, U+205F, U+3000, U+FEFF) are removed;
everything else stays. The node refuses a record whose case_id is not in this
form, so records are signed with it (docs/api.md, "Case ids").
"""

_REMOVED = {0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000, 0xFEFF} | set(range(0x2000, 0x200C))


def canonical_case_id(case_id):
    """The canonical form of ``case_id``."""
    out = []
    for character in case_id:
        code = ord(character)
        if code in _REMOVED:
            continue
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFF01 + 0x21))
        else:
            out.append(character)
    return "".join(out)
