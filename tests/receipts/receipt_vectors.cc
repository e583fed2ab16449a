// receipt_vectors ROOT: writes, under the repository root ROOT, the worked
// examples of docs/receipt-format.md (docs/receipt-examples/<example>/:
// genesis.json, document.txt, receipt.json, steps.json with every intermediate
// value) and the verification corpus (tests/vectors/receipts/: manifest.json,
// genesis/, documents/, receipts/). The output is the same bytes on every run;
// tests/receipts/receipt_corpus_test.py regenerates it and compares it with the
// committed files. It first removes what it writes (not README.md).
//
// Test tool: it replaces OpenSSL's random source with a fixed stream
// (vector_chains.h), so it must never sign anything real.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/json.hpp>

#include "common/check.h"
#include "common/encoding.h"
#include "crypto/merkle.h"
#include "ledger/batch.h"
#include "ledger/json.h"
#include "tests/receipts/vector_cases.h"

namespace evidence::vectors {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ledger::Receipt;

void WriteFile(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  EVIDENCE_CHECK_MSG(out.good(), path.c_str());
}

// A JSON object written one member per line (members in the given order, each
// value as JCS): readable, and each line diffs on its own.
std::string MemberPerLine(const std::vector<std::pair<std::string, json::value>>& members) {
  std::string out = "{\n";
  for (size_t i = 0; i < members.size(); ++i) {
    out += "  " + ledger::CanonicalJson(json::string(members[i].first)).value() + ": " +
           ledger::CanonicalJson(members[i].second).value();
    out += i + 1 < members.size() ? ",\n" : "\n";
  }
  return out + "}\n";
}

std::string Text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// The roots after each step of the RFC 9162 §2.1.3.2 walk (the last one is the root).
json::array InclusionRoots(crypto::HashAlgorithm algorithm, const crypto::Digest& leaf_hash,
                           uint64_t index, uint64_t size,
                           const std::vector<crypto::Digest>& proof) {
  crypto::MerkleHasher hasher(algorithm);
  json::array roots;
  uint64_t fn = index, sn = size - 1;
  crypto::Digest r = leaf_hash;
  for (const crypto::Digest& p : proof) {
    if ((fn & 1) != 0 || fn == sn) {
      r = hasher.HashChildren(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = hasher.HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
    roots.emplace_back(crypto::DigestHex(r));
  }
  return roots;
}

// Every value a verifier computes for this golden, for the page and for people
// debugging their own verifier.
std::string Steps(const Golden& g) {
  const Receipt& r = g.receipt;
  const ledger::Genesis& genesis = g.chain->chain().genesis();
  const crypto::HashAlgorithm h = genesis.hash();
  crypto::MerkleHasher hasher(h);
  std::vector<std::pair<std::string, json::value>> m;
  m.emplace_back("signing_bytes", Text(ledger::RecordSigningBytes(r.record)));
  m.emplace_back("record_id", crypto::DigestHex(ledger::RecordId(h, r.record)));
  if (r.record.sig.batch) {
    const ledger::BatchReference& batch = *r.record.sig.batch;
    crypto::Digest batch_leaf = hasher.HashLeaf(ledger::RecordId(h, r.record));
    m.emplace_back("batch_leaf_hash", crypto::DigestHex(batch_leaf));
    m.emplace_back("batch_path_roots",
                   InclusionRoots(h, batch_leaf, batch.index, batch.size, batch.path));
    m.emplace_back("batch_signing_bytes",
                   Text(ledger::BatchSigningBytes(ledger::BatchHeaderOf(r.record))));
  }
  m.emplace_back("leaf", ledger::RecordLeaf(r.record));
  crypto::Digest leaf_hash = ledger::RecordLeafHash(h, r.record);
  m.emplace_back("leaf_hash", crypto::DigestHex(leaf_hash));
  m.emplace_back("inclusion_roots",
                 InclusionRoots(h, leaf_hash, r.leaf_index, r.tree_size, r.inclusion_proof));
  m.emplace_back("header_bytes", HexEncode(ledger::EncodeBlockHeader(r.header)));
  m.emplace_back("block_hash", crypto::DigestHex(ledger::BlockHash(h, r.header)));
  json::array votes;
  for (const ledger::CommitSignature& s : r.commit.signatures) {
    ledger::Vote vote{ledger::VoteType::kPrecommit, r.commit.height, r.commit.round,
                      r.commit.block_hash, s.timestamp_ms, s.validator_index, {}};
    votes.emplace_back(HexEncode(ledger::VoteSigningBytes(genesis.chain_id(), vote)));
  }
  m.emplace_back("precommit_bytes", std::move(votes));
  std::string set_text;
  for (const ledger::Validator& v : genesis.validator_set().validators()) {
    set_text += v.vote_key.key_id() + ":" + std::to_string(v.power) + "\n";
  }
  m.emplace_back("validator_set_text", set_text);
  m.emplace_back("validator_set_hash", crypto::DigestHex(genesis.validator_set_hash()));
  m.emplace_back("existed_by_ms", g.existed_by_ms);
  return MemberPerLine(m);
}

void WriteExamples(const Corpus& corpus, const fs::path& root) {
  const fs::path examples = root / "docs" / "receipt-examples";
  fs::remove_all(examples);
  for (const char* name : kExampleNames) {
    const Golden& g = corpus.golden(name);
    WriteFile(examples / name / "genesis.json", g.chain->chain().genesis().ToJson());
    WriteFile(examples / name / "document.txt", corpus.documents.at(g.document));
    WriteFile(examples / name / "receipt.json", ledger::ReceiptToText(g.receipt));
    WriteFile(examples / name / "steps.json", Steps(g));
  }
}

json::value CaseJson(const Corpus& corpus, const VectorCase& c) {
  const std::string& document = corpus.documents.at(c.document);
  json::object out;
  out["name"] = c.name;
  out["description"] = c.description;
  out["receipt"] = "receipts/" + c.name + ".json";
  out["genesis"] = "genesis/" + c.genesis;
  out["document"] = "documents/" + c.document;
  out["document_digest"] = ledger::FormatDocumentDigest(
      c.digest_algorithm, crypto::Hash(c.digest_algorithm, document));
  out["exit"] = c.exit_status;
  out["code"] = c.code.empty() ? json::value(nullptr) : json::value(c.code);
  out["existed_by_ms"] =
      c.existed_by_ms ? json::value(*c.existed_by_ms) : json::value(nullptr);
  return out;
}

// One manifest: the header, then one case a line (those `in_v2_corpus` selects).
std::string Manifest(const Corpus& corpus, const VectorSet& set, bool v2_corpus,
                     std::string_view about) {
  std::string manifest =
      "{\n\"format\": \"evidence-ledger receipt verification corpus\",\n\"version\": 1,\n"
      "\"about\": \"" + std::string(about) + "\",\n\"cases\": [\n";
  std::vector<const VectorCase*> cases;
  for (const VectorCase& c : set.cases) {
    if (c.receipt_v2_corpus == v2_corpus) cases.push_back(&c);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    json::value line = CaseJson(corpus, *cases[i]);
    if (v2_corpus && cases[i]->code.empty()) {
      line.as_object()["notes"] = cases[i]->notes;
      line.as_object()["warnings"] = cases[i]->warnings;
    }
    manifest += ledger::CanonicalJson(line).value();
    manifest += i + 1 < cases.size() ? ",\n" : "\n";
  }
  return manifest + "]\n}\n";
}

// manifest.json: the receipts of chains without governance changes (v1), as
// every verifier has known them; manifest-v2.json: the governed chain's
// (receipts v2, docs/receipt-format.md §11), its valid cases with the count of
// notes and warnings they give.
void WriteCorpus(const Corpus& corpus, const VectorSet& set, const fs::path& root) {
  const fs::path dir = root / "tests" / "vectors" / "receipts";
  for (const char* generated :
       {"manifest.json", "manifest-v2.json", "genesis", "documents", "receipts"}) {
    fs::remove_all(dir / generated);
  }
  for (const auto& [name, text] : set.genesis_files) WriteFile(dir / "genesis" / name, text);
  for (const auto& [name, bytes] : corpus.documents) WriteFile(dir / "documents" / name, bytes);
  for (const VectorCase& c : set.cases) {
    WriteFile(dir / "receipts" / (c.name + ".json"), c.receipt_text);
  }
  WriteFile(dir / "manifest.json",
            Manifest(corpus, set, false, "docs/receipt-format.md; tests/vectors/receipts/README.md"));
  WriteFile(dir / "manifest-v2.json",
            Manifest(corpus, set, true,
                     "receipts v2: docs/receipt-format.md section 11; tests/vectors/receipts/README.md"));
}

}  // namespace
}  // namespace evidence::vectors

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: receipt_vectors ROOT   (writes docs/receipt-examples/ and "
                 "tests/vectors/receipts/ under ROOT)\n";
    return 2;
  }
  namespace v = evidence::vectors;
  v::Corpus corpus = v::BuildCorpus();
  v::VectorSet set = v::BuildCases(corpus);
  v::WriteExamples(corpus, argv[1]);
  v::WriteCorpus(corpus, set, argv[1]);
  std::cout << "receipt_vectors: " << set.cases.size() << " cases, "
            << std::size(v::kExampleNames) << " examples written under " << argv[1] << "\n";
  return 0;
}
