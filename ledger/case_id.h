// The canonical form of a case id (案号), so that one case is one trail.
//
// Court and agency systems write the same case number with full-width or
// half-width characters and with stray spaces: "（2026）鲁0831行复12号",
// "(2026)鲁0831行复12号", "(2026) 鲁0831 行复12号". The canonical form is the one
// every submitter signs:
//   - the full-width forms of ASCII characters, U+FF01..U+FF5E (（ ） ０-９ Ａ-Ｚ ...),
//     become the ASCII characters U+0021..U+007E they stand for;
//   - white space and invisible separators are removed: U+0020 space, U+00A0,
//     U+1680, U+2000..U+200B, U+202F, U+205F, U+3000 ideographic space, U+FEFF;
//   - everything else is kept as it is (Chinese characters, 〔〕, 【】, ...).
// So "（２０２６） 鲁0831行复12号" canonicalises to "(2026)鲁0831行复12号". The form is
// idempotent: CanonicalCaseId(CanonicalCaseId(x)) == CanonicalCaseId(x).
//
// This is a submission rule (ledger/submission.h), not a block rule: records
// committed before it keep whatever case id they were signed with, and blocks
// holding them stay valid. docs/design.md §3 explains why.
// tests/vectors/records/case-ids.json pins the mapping for every SDK.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace evidence::ledger {

// The canonical form of `case_id`. `case_id` must be valid UTF-8 (CheckRecordShape
// refuses anything else before this is asked); invalid sequences are kept as
// they are.
std::string CanonicalCaseId(std::string_view case_id);

bool IsCanonicalCaseId(std::string_view case_id);

}  // namespace evidence::ledger
