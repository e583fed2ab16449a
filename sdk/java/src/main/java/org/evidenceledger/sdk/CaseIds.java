package org.evidenceledger.sdk;

/**
 * The canonical form of a case id (案号), so that one case is one trail: the full-width forms of
 * ASCII characters (U+FF01..U+FF5E: （ ） ０-９ ...) become the ASCII characters they stand for; white
 * space and invisible separators (U+0020, U+00A0, U+1680, U+2000..U+200B, U+202F, U+205F, U+3000,
 * U+FEFF) are removed; everything else stays. The node refuses a record whose case_id is not in
 * this form (docs/api.md, "Case ids"). Thread-safe.
 */
public final class CaseIds {
  private CaseIds() {}

  private static boolean isRemoved(int c) {
    return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F
        || c == 0x205F || c == 0x3000 || c == 0xFEFF;
  }

  /** The canonical form of {@code caseId}. */
  public static String canonical(String caseId) {
    StringBuilder out = new StringBuilder(caseId.length());
    caseId.codePoints().forEach(c -> {
      if (isRemoved(c)) return;
      if (c >= 0xFF01 && c <= 0xFF5E) {
        out.append((char) (c - 0xFF01 + 0x21));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  public static boolean isCanonical(String caseId) {
    return canonical(caseId).equals(caseId);
  }
}
