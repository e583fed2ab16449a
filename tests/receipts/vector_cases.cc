#include "tests/receipts/vector_cases.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json.hpp>
#include <functional>

#include "common/check.h"
#include "common/encoding.h"
#include "crypto/signature.h"
#include "ledger/chain_params.h"
#include "ledger/governance.h"
#include "ledger/json.h"

namespace evidence::vectors {
namespace {

namespace json = boost::json;
using ledger::Receipt;

constexpr const char* kMalformed = "receipt.malformed";
constexpr const char* kVersion = "receipt.unsupported_version";
constexpr const char* kGenesis = "genesis.invalid";
constexpr const char* kChain = "receipt.wrong_chain";
constexpr const char* kDigest = "receipt.digest_mismatch";
constexpr const char* kSignature = "receipt.bad_record_signature";
constexpr const char* kInclusion = "receipt.bad_inclusion";
constexpr const char* kHeader = "receipt.header_mismatch";
constexpr const char* kCommit = "receipt.bad_commit";
constexpr const char* kValidators = "receipt.validator_set_mismatch";
constexpr const char* kGovernance = "receipt.bad_governance";
constexpr const char* kGovernedChain = "governed";
constexpr const char* kTrustedTimeChain = "governed-trusted-time";

// --- Small edits. ---

// The member or element at a dotted path ("commit.signatures.1.signature").
json::value& At(json::value& root, std::string_view path) {
  json::value* at = &root;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    if (at->is_array()) {
      at = &at->as_array().at(std::stoul(std::string(step)));
    } else {
      at = &at->as_object()[step];
    }
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return *at;
}

void Erase(json::value& root, std::string_view path) {
  size_t dot = path.rfind('.');
  json::value& parent = dot == std::string_view::npos ? root : At(root, path.substr(0, dot));
  std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
  EVIDENCE_CHECK(parent.as_object().erase(last) == 1);
}

std::string Str(json::value& value) { return std::string(value.as_string()); }

// One hex digit changed (a different, still well-formed value).
std::string FlipHex(std::string hex) {
  hex[0] = hex[0] == '0' ? '1' : '0';
  return hex;
}

// One bit of the decoded bytes changed, canonical base64 again.
std::string FlipBase64(const std::string& text, size_t byte = 5) {
  Bytes bytes = Base64Decode(text).value();
  bytes.at(byte) ^= 1;
  return Base64Encode(bytes);
}

void Replace(std::string& text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EVIDENCE_CHECK_MSG(at != std::string::npos, std::string(from).c_str());
  text.replace(at, from.size(), to);
}

// Pretty-printed with members in reverse order: the same receipt for a verifier
// (whitespace and member order are free, docs/receipt-format.md §6).
void AppendPretty(std::string& out, const json::value& value, int depth) {
  std::string indent(2 * depth + 2, ' ');
  if (value.is_object()) {
    const json::object& object = value.as_object();
    out += "{";
    for (auto it = object.end(); it != object.begin();) {
      --it;
      out += "\n" + indent + json::serialize(json::string(it->key())) + ": ";
      AppendPretty(out, it->value(), depth + 1);
      if (it != object.begin()) out += ",";
    }
    out += "\n" + std::string(2 * depth, ' ') + "}";
  } else if (value.is_array() && !value.as_array().empty()) {
    out += "[";
    const json::array& array = value.as_array();
    for (size_t i = 0; i < array.size(); ++i) {
      out += "\n" + indent;
      AppendPretty(out, array[i], depth + 1);
      if (i + 1 < array.size()) out += ",";
    }
    out += "\n" + std::string(2 * depth, ' ') + "]";
  } else {
    out += json::serialize(value);
  }
}

// A base64 text whose padding bits are not zero: the same bytes, not canonical.
std::string NonzeroPaddingBits(std::string text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  EVIDENCE_CHECK(text.size() >= 3 && text.back() == '=');
  size_t at = text.size() - (text[text.size() - 2] == '=' ? 3 : 2);
  text[at] = kAlphabet.at(kAlphabet.find(text[at]) ^ 1);
  return text;
}

// An Ed25519 signature with S + L in place of S: the same point equation, but S
// is not reduced, which RFC 8032 verification refuses.
std::string Ed25519SPlusL(const std::string& text) {
  static const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  Bytes signature = Base64Decode(text).value();
  EVIDENCE_CHECK(signature.size() == 64);
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {  // little-endian S at bytes 32..63
    unsigned sum = signature[32 + i] + kL[i] + carry;
    signature[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  EVIDENCE_CHECK(carry == 0);
  return Base64Encode(signature);
}

// DER with a long-form length (BER): the same (r, s), not the DER encoding.
std::string BerLength(const std::string& text) {
  Bytes der = Base64Decode(text).value();
  EVIDENCE_CHECK(der.size() > 2 && der[0] == 0x30 && der[1] < 0x80);
  der.insert(der.begin() + 1, 0x81);
  return Base64Encode(der);
}

// The raw r || s form (what WebCrypto produces), 64 bytes.
std::string RawRs(const std::string& text) {
  Bytes der = Base64Decode(text).value();
  Bytes raw;
  size_t at = 2;
  for (int part = 0; part < 2; ++part) {
    EVIDENCE_CHECK(der[at] == 0x02);
    size_t length = der[at + 1];
    Bytes value(der.begin() + at + 2, der.begin() + at + 2 + length);
    while (value.size() > 32) value.erase(value.begin());
    while (value.size() < 32) value.insert(value.begin(), 0);
    raw.insert(raw.end(), value.begin(), value.end());
    at += 2 + length;
  }
  return Base64Encode(raw);
}

// --- The builder. ---

class CaseBuilder {
 public:
  CaseBuilder(const Corpus& corpus, VectorSet& out) : corpus_(corpus), out_(out) {
    for (const auto& [name, chain] : corpus.chains) {
      out_.genesis_files[name + ".json"] = chain->chain().genesis().ToJson();
    }
  }

  const Corpus& corpus() const { return corpus_; }

  // A golden receipt as it is.
  void Golden(const vectors::Golden& g) {
    Add(g.name, g.description, ledger::ReceiptToText(g.receipt), g, "", g.existed_by_ms);
    last().notes = g.notes;
    last().warnings = g.warnings;
  }

  // The golden's receipt changed as JSON (written as JCS, as receipts are).
  void Json(const std::string& base, std::string name, std::string code, std::string description,
            const std::function<void(json::value&)>& change) {
    const vectors::Golden& g = Start(base, name);
    json::value value = ledger::ReceiptToJson(g.receipt);
    change(value);
    Add(std::move(name), std::move(description), ledger::CanonicalJson(value).value() + "\n", g,
        std::move(code), std::nullopt);
  }

  // The golden's receipt text changed as text (for what JCS cannot write).
  void Text(const std::string& base, std::string name, std::string code, std::string description,
            const std::function<void(std::string&)>& change) {
    const vectors::Golden& g = Start(base, name);
    std::string text = ledger::ReceiptToText(g.receipt);
    change(text);
    Add(std::move(name), std::move(description), std::move(text), g, std::move(code), std::nullopt);
  }

  // The golden's receipt changed in C++ (e.g. a header changed and the commit
  // signed again over it, so that a later check decides).
  void Typed(const std::string& base, std::string name, std::string code, std::string description,
             const std::function<void(Receipt&, const VectorChain&)>& change,
             std::optional<int64_t> existed_by_ms = std::nullopt) {
    const vectors::Golden& g = Start(base, name);
    Receipt receipt = g.receipt;
    change(receipt, *g.chain);
    Add(std::move(name), std::move(description), ledger::ReceiptToText(receipt), g,
        std::move(code), existed_by_ms);
  }

  // The golden's receipt checked against a changed genesis (genesis/<name>.json).
  void Genesis(const std::string& base, std::string name, std::string code,
               std::string description, const std::function<void(json::value&)>& change) {
    const vectors::Golden& g = Start(base, name);
    json::value genesis = json::parse(g.chain->chain().genesis().ToJson());
    change(genesis);
    GenesisText(base, std::move(name), std::move(code), std::move(description),
                ledger::CanonicalJson(genesis).value() + "\n");
  }

  void GenesisText(const std::string& base, std::string name, std::string code,
                   std::string description, std::string genesis_text) {
    const vectors::Golden& g = Start(base, name);
    out_.genesis_files[name + ".json"] = std::move(genesis_text);
    Add(name, std::move(description), ledger::ReceiptToText(g.receipt), g, std::move(code),
        std::nullopt);
    out_.cases.back().genesis = name + ".json";
  }

  // Overrides of the last case added.
  VectorCase& last() { return out_.cases.back(); }

 private:
  const vectors::Golden& Start(const std::string& base, const std::string& name) {
    UseFixedRandomSource("case " + name);  // signing in a case changes no other case
    return corpus_.golden(base);
  }

  void Add(std::string name, std::string description, std::string text, const vectors::Golden& g,
           std::string code, std::optional<int64_t> existed_by_ms) {
    for (const VectorCase& c : out_.cases) EVIDENCE_CHECK_MSG(c.name != name, name.c_str());
    VectorCase c;
    c.name = std::move(name);
    c.description = std::move(description);
    c.receipt_text = std::move(text);
    c.genesis = g.chain->name() + ".json";
    c.document = g.document;
    c.digest_algorithm = ledger::ParseDocumentDigest(g.receipt.record.digest).value().algorithm;
    c.exit_status = ExitStatusOf(code);
    c.code = std::move(code);
    c.existed_by_ms = existed_by_ms;
    c.receipt_v2_corpus = g.chain->name() == kGovernedChain || g.chain->name() == kTrustedTimeChain;
    out_.cases.push_back(std::move(c));
  }

  const Corpus& corpus_;
  VectorSet& out_;
};

const std::string kS = "sha256-ed25519-single";
const std::string kB = "sha256-ed25519-batched";
const std::string kL = "sha256-ed25519-limits";
const std::string kM = "sm3-sm2-single";
const std::string kMB = "sm3-sm2-batched";
const std::string kP = "p256-weighted-first-block";
const std::string kPH = "p256-high-s-record";

// --- Receipts every verifier must accept. ---

void AddValid(CaseBuilder& b) {
  for (const vectors::Golden& g : b.corpus().goldens) b.Golden(g);
  const vectors::Golden& s = b.corpus().golden(kS);
  b.Text(kS, "valid-pretty-reordered", "", "Pretty-printed, members in reverse order",
         [](std::string& text) {
           std::string pretty;
           AppendPretty(pretty, json::parse(text), 0);
           text = pretty + "\n";
         });
  b.last().existed_by_ms = s.existed_by_ms;
  b.Text(kS, "valid-json-escapes", "",
         "Strings written with escapes (\\u884c... for the title, \\/ in media_type): the same "
         "strings, so the same JCS bytes",
         [](std::string& text) {
           Replace(text, "\"title\":\"行政复议决定书\"",
                   "\"title\":\"\\u884c\\u653f\\u590d\\u8bae\\u51b3\\u5b9a\\u4e66\"");
           Replace(text, "\"text/plain", "\"text\\/plain");
         });
  b.last().existed_by_ms = s.existed_by_ms;
  b.Text(kS, "valid-negative-zero", "", "commit.round written as -0, which is the integer 0",
         [](std::string& text) { Replace(text, "\"round\":0", "\"round\":-0"); });
  b.last().existed_by_ms = s.existed_by_ms;
  b.Text(kS, "valid-size-limit", "",
         "Exactly 262144 bytes (white space after the object): the largest receipt text",
         [](std::string& text) { text.insert(text.size() - 1, 262144 - text.size(), ' '); });
  b.last().existed_by_ms = s.existed_by_ms;
  b.Typed(kS, "valid-three-of-four", "",
          "Validator 3's precommit left out: power 3 of 4 is still > 2/3; the median of the "
          "three remaining times is the middle one",
          [](Receipt& r, const VectorChain&) { r.commit.signatures.pop_back(); },
          s.receipt.header.time_ms + 2000);
  const vectors::Golden& p = b.corpus().golden(kP);
  b.Typed(kP, "valid-p256-commit-high-s", "",
          "Validator 1's P-256 precommit signature with S > n/2: still valid",
          [](Receipt& r, const VectorChain&) {
            Bytes& signature = r.commit.signatures.at(1).signature;
            signature = HighS(signature);
          },
          p.existed_by_ms);
}

// --- Genesis files that are not valid (exit 2, before the receipt is read). ---

json::value& Validator(json::value& g, size_t i) { return g.at("validators").as_array().at(i); }
json::value& Agency(json::value& g, size_t i) { return g.at("agencies").as_array().at(i); }

void AddGenesis(CaseBuilder& b) {
  const std::string text = b.corpus().golden(kS).chain->chain().genesis().ToJson();
  b.GenesisText(kS, "genesis-not-json", kGenesis, "The genesis text is cut short",
                text.substr(0, text.size() / 2));
  std::string duplicate = text;
  Replace(duplicate, "{\"agencies\"", "{\"hash\":\"sha256\",\"agencies\"");
  b.GenesisText(kS, "genesis-duplicate-member", kGenesis, "\"hash\" appears twice", duplicate);
  b.Genesis(kS, "genesis-unknown-member", kGenesis, "An unknown top-level member",
            [](json::value& g) { g.as_object()["comment"] = "x"; });
  b.Genesis(kS, "genesis-chain-id-not-identifier", kGenesis,
            "chain_id with a space (1..64 of A-Z a-z 0-9 . _ -)",
            [](json::value& g) { g.at("chain_id") = "sishui evidence"; });
  b.Genesis(kS, "genesis-unknown-hash", kGenesis, "hash \"sha512\" (sha256 or sm3)",
            [](json::value& g) { g.at("hash") = "sha512"; });
  b.Genesis(kS, "genesis-time-negative", kGenesis, "genesis_time_ms -1 (0..2^53-1)",
            [](json::value& g) { g.at("genesis_time_ms") = -1; });
  b.Genesis(kS, "genesis-no-validators", kGenesis, "An empty validator list",
            [](json::value& g) { g.at("validators") = json::array(); });
  b.Genesis(kS, "genesis-power-zero", kGenesis, "A validator with power 0 (1..2^53-1)",
            [](json::value& g) { Validator(g, 2).at("power") = 0; });
  b.Genesis(kS, "genesis-repeated-vote-key", kGenesis, "Two validators with one vote key",
            [](json::value& g) { Validator(g, 1).at("vote_key") = Validator(g, 0).at("vote_key"); });
  b.Genesis(kS, "genesis-repeated-node-key", kGenesis, "Two validators with one node key",
            [](json::value& g) { Validator(g, 3).at("node_key") = Validator(g, 2).at("node_key"); });
  b.Genesis(kS, "genesis-repeated-validator-name", kGenesis, "Two validators named alike",
            [](json::value& g) { Validator(g, 1).at("name") = Validator(g, 0).at("name"); });
  b.Genesis(kS, "genesis-validator-name-not-identifier", kGenesis,
            "A validator name with a space (names are identifiers)",
            [](json::value& g) { Validator(g, 0).at("name") = "justice bureau"; });
  b.Genesis(kS, "genesis-institution-control-character", kGenesis,
            "A validator institution holding U+0007",
            [](json::value& g) { Validator(g, 0).at("institution") = "泗水县\a司法局"; });
  b.Genesis(kS, "genesis-institution-del", kGenesis,
            "A validator institution holding U+007F (text has no control character, DEL included)",
            [](json::value& g) { Validator(g, 1).at("institution") = "泗水县\x7f人民检察院"; });
  b.Genesis(kS, "genesis-institution-257-bytes", kGenesis, "An institution of 257 bytes (1..256)",
            [](json::value& g) { Validator(g, 0).at("institution") = std::string(257, 'i'); });
  b.Genesis(kS, "genesis-address-empty", kGenesis, "An empty validator address (1..256 bytes)",
            [](json::value& g) { Validator(g, 1).at("address") = ""; });
  b.Genesis(kS, "genesis-agency-key-twice", kGenesis,
            "One key registered for two agencies (a key names one author)",
            [](json::value& g) { Agency(g, 1).at("keys") = Agency(g, 0).at("keys"); });
  b.Genesis(kS, "genesis-agency-without-keys", kGenesis, "An agency with no keys (1..16)",
            [](json::value& g) { Agency(g, 0).at("keys") = json::array(); });
  b.Genesis(kS, "genesis-agency-id-129-bytes", kGenesis,
            "An agency id of 129 bytes (identifiers of 1..128)",
            [](json::value& g) { Agency(g, 0).at("id") = std::string(129, 'a'); });
  b.Genesis(kS, "genesis-reader-token-and-key", kGenesis,
            "A reader with both token_sha256 and key (exactly one)", [](json::value& g) {
              g.at("readers").as_array().at(0).as_object()["key"] =
                  Agency(g, 0).at("keys").as_array().at(0);
            });
  b.Genesis(kS, "genesis-reader-role-unknown", kGenesis,
            "A reader of role \"press\" (court, procuratorate, reconsideration or supervisor)",
            [](json::value& g) { g.at("readers").as_array().at(0).at("role") = "press"; });
  b.Genesis(kS, "genesis-key-crlf", kGenesis,
            "A vote key in PEM with CRLF line ends: keys are canonical PEM only",
            [](json::value& g) {
              std::string pem = Str(Validator(g, 0).at("vote_key")), crlf;
              for (char c : pem) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
              Validator(g, 0).at("vote_key") = crlf;
            });
  b.Genesis(kP, "genesis-key-one-line", kGenesis,
            "An agency key whose base64 is on one line (canonical PEM wraps at 64)",
            [](json::value& g) {
              std::string pem = Str(Agency(g, 1).at("keys").as_array().at(0));
              size_t first = pem.find('\n') + 1;
              size_t last = pem.rfind("-----END");
              std::string body = pem.substr(first, last - first), joined;
              for (char c : body) if (c != '\n') joined += c;
              Agency(g, 1).at("keys").as_array().at(0) =
                  pem.substr(0, first) + joined + "\n" + pem.substr(last);
            });
  b.Genesis(kS, "genesis-key-not-a-key", kGenesis, "A vote key that is not PEM at all",
            [](json::value& g) { Validator(g, 0).at("vote_key") = "not a key"; });
}

// --- Keys in canonical PEM that are not keys of the three algorithms. ---

std::string PemOf(const Bytes& der) {
  BIO* bio = BIO_new(BIO_s_mem());
  EVIDENCE_CHECK(bio != nullptr);
  EVIDENCE_CHECK(PEM_write_bio(bio, "PUBLIC KEY", "", der.data(), static_cast<long>(der.size())) > 0);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

Bytes SpkiOf(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(pkey, &der);
  EVIDENCE_CHECK(length > 0);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// The key's point with the last byte of Y changed: no longer on its curve.
std::string OffCurve(const std::string& pem) {
  Bytes der = crypto::PublicKey::FromPem(pem).value().spki_der();
  der.back() ^= 1;
  EVIDENCE_CHECK(!crypto::PublicKey::FromSpkiDer(der).ok());
  return PemOf(der);
}

std::string Compressed(const std::string& pem) {
  Bytes der = crypto::PublicKey::FromPem(pem).value().spki_der();
  const unsigned char* cursor = der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size()));
  EVIDENCE_CHECK(pkey != nullptr);
  EVIDENCE_CHECK(EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                                "compressed") == 1);
  Bytes compressed = SpkiOf(pkey);
  EVP_PKEY_free(pkey);
  EVIDENCE_CHECK(compressed.size() < der.size());
  return PemOf(compressed);
}

std::string Secp256k1Key() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1");
  EVIDENCE_CHECK(pkey != nullptr);
  Bytes der = SpkiOf(pkey);
  EVP_PKEY_free(pkey);
  return PemOf(der);
}

void AddGenesisKeys(CaseBuilder& b) {
  b.Genesis(kP, "genesis-p256-key-off-curve", kGenesis,
            "A P-256 vote key whose point is not on the curve",
            [](json::value& g) { Validator(g, 0).at("vote_key") = OffCurve(Str(Validator(g, 0).at("vote_key"))); });
  b.Genesis(kM, "genesis-sm2-key-off-curve", kGenesis,
            "An SM2 agency key whose point is not on the curve", [](json::value& g) {
              json::value& key = Agency(g, 0).at("keys").as_array().at(0);
              key = OffCurve(Str(key));
            });
  b.Genesis(kP, "genesis-p256-key-compressed", kGenesis,
            "A P-256 agency key with a compressed point (keys are uncompressed, one key one id)",
            [](json::value& g) {
              json::value& key = Agency(g, 1).at("keys").as_array().at(0);
              key = Compressed(Str(key));
            });
  b.Genesis(kS, "genesis-secp256k1-key", kGenesis,
            "An agency key on secp256k1 (only Ed25519, P-256 and SM2)", [](json::value& g) {
              Agency(g, 1).at("keys").as_array().at(0) = Secp256k1Key();
            });
}

// --- Receipt texts that are not strict JSON (exit 2). ---

// --- Version 2 genesis files (docs/receipt-format.md §2): the golden receipt
// checked against its chain's register written as a version-2 genesis (params,
// admins, observers), valid, then each rule of version 2 broken once. ---

std::string PublicPemOfFixed(size_t index) {
  return crypto::PrivateKey::FromPem(ledger::testing::FixedTestKeyPem(index))
      .value()
      .public_key()
      .ToPem();
}

// The sha256-ed25519 genesis as version 2: the four institutions hold one
// admin key each (the fixed admin keys), threshold 3, the default params, one
// observer (a spare key as its node key).
json::value GenesisV2(const json::value& v1) {
  json::value g = v1;
  json::object& o = g.as_object();
  o["v"] = 2;
  ledger::ChainParams params;
  params.governance_threshold = 3;
  o["params"] = ledger::ChainParamsToJson(params);
  json::array admins;
  const json::array& validators = o.at("validators").as_array();
  for (size_t i = 0; i < validators.size(); ++i) {
    admins.push_back(json::object{
        {"institution", validators[i].at("institution")},
        {"keys", json::array{json::value(PublicPemOfFixed(ledger::testing::kAdminKeysFirst + i))}}});
  }
  o["admins"] = std::move(admins);
  o["observers"] = json::array{json::object{
      {"name", "audit-bureau"},
      {"institution", "泗水县审计局"},
      {"node_key", PublicPemOfFixed(ledger::testing::kSpareKeysFirst)},
      {"address", "127.0.0.1:26660"}}};
  return g;
}

// A fixed institution CA certificate (P-256, CA:TRUE, made once with openssl
// req -x509) and a TSA certificate it issued (CA:FALSE), for the trusted-time
// members of version 2.
constexpr std::string_view kCourtTsaPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBsDCCAVagAwIBAgIBAjAKBggqhkjOPQQDAjBDMR4wHAYDVQQKDBXms5fmsLTl\n"
    "jr/kurrmsJHms5XpmaIxITAfBgNVBAMMGOazl+awtOWOv+S6uuawkeazlemZoiBD\n"
    "QTAgFw0yNjEyMDYyMTA0MTBaGA8yMTI2MTExMjIxMDQxMFowFDESMBAGA1UEAwwJ\n"
    "Y291cnQgVFNBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEP6PS+E3VPTzCPJq1\n"
    "E43l3NBzguJFCu0oc6exiroHY21kWZomqg8zAZXZ/G6hwlJ8Skdc3uSekHxxkgww\n"
    "wuN7UKNoMGYwDAYDVR0TAQH/BAIwADAWBgNVHSUBAf8EDDAKBggrBgEFBQcDCDAd\n"
    "BgNVHQ4EFgQUFSrAnojcr3ymiad9ScFlBPgkDNcwHwYDVR0jBBgwFoAUEe8nwMLH\n"
    "wE4OI2Yrabq7i4VrKXgwCgYIKoZIzj0EAwIDSAAwRQIgPv5jNg6CgQXlJP3wkIFA\n"
    "tr82uqjVI6f0QjPTI1cjI6MCIQC7wgGSPWEaiaSFVnYjIsqAyWUSkn3g6RXtdxPn\n"
    "qn9EAA==\n"
    "-----END CERTIFICATE-----\n";

// GenesisV2 with a TSA CA for the court and one witness (a spare Ed25519 key).
json::value GenesisV2TrustedTime(const json::value& v1) {
  json::value g = GenesisV2(v1);
  json::object& o = g.as_object();
  o["tsas"] = json::array{json::object{{"institution", "泗水县人民法院"}, {"ca_cert", kCourtCaPem}}};
  o["witnesses"] = json::array{json::object{
      {"name", "witness.example.org/w1"},
      {"key", PublicPemOfFixed(ledger::testing::kSpareKeysFirst + 1)}}};
  return g;
}

json::value& Admin(json::value& g, size_t i) { return g.at("admins").as_array().at(i); }
json::value& Observer(json::value& g, size_t i) { return g.at("observers").as_array().at(i); }

// The optional tsas and witnesses of version 2: valid, then each rule broken once.
void AddGenesisV2TrustedTime(CaseBuilder& b, const json::value& v1) {
  const vectors::Golden& s = b.corpus().golden(kS);
  auto tt = [&v1](const std::function<void(json::value&)>& change) {
    return [&v1, change](json::value& g) {
      g = GenesisV2TrustedTime(v1);
      change(g);
    };
  };
  auto tsa = [](json::value& g) -> json::value& { return g.at("tsas").as_array().at(0); };
  auto witness = [](json::value& g) -> json::value& { return g.at("witnesses").as_array().at(0); };
  b.Genesis(kS, "genesis-v2-trusted-time", "",
            "A version-2 genesis with a TSA CA and a witness (they take no part in a receipt)",
            tt([](json::value&) {}));
  b.last().existed_by_ms = s.existed_by_ms;
  b.Genesis(kS, "genesis-v2-tsas-empty", kGenesis, "tsas written as an empty list (left out instead)",
            tt([](json::value& g) { g.at("tsas") = json::array(); }));
  b.Genesis(kS, "genesis-v2-tsa-not-a-ca", kGenesis, "A TSA CA that is a TSA certificate (CA:FALSE)",
            tt([&](json::value& g) { tsa(g).at("ca_cert") = kCourtTsaPem; }));
  b.Genesis(kS, "genesis-v2-tsa-not-canonical", kGenesis,
            "A TSA CA certificate with a blank line after it (not canonical PEM)",
            tt([&](json::value& g) { tsa(g).at("ca_cert") = std::string(kCourtCaPem) + "\n"; }));
  b.Genesis(kS, "genesis-v2-tsa-institution-without-admins", kGenesis,
            "A TSA CA of an institution that holds no admin keys",
            tt([&](json::value& g) { tsa(g).at("institution") = "泗水县审计局"; }));
  b.Genesis(kS, "genesis-v2-tsa-institution-twice", kGenesis, "Two TSA CAs for one institution",
            tt([&](json::value& g) { g.at("tsas").as_array().push_back(tsa(g)); }));
  b.Genesis(kS, "genesis-v2-witness-name-with-space", kGenesis,
            "A witness name with a space (not a note key name)",
            tt([&](json::value& g) { witness(g).at("name") = "witness example"; }));
  b.Genesis(kS, "genesis-v2-witness-name-with-plus", kGenesis, "A witness name with '+'",
            tt([&](json::value& g) { witness(g).at("name") = "w+1"; }));
  b.Genesis(kS, "genesis-v2-witness-key-not-ed25519", kGenesis,
            "A witness key on P-256 (cosignatures are Ed25519)", tt([&](json::value& g) {
              witness(g).at("key") = crypto::PrivateKey::FromPem(ledger::testing::FixedTestKeyPem(
                                                                   8, crypto::SignatureAlgorithm::kP256))
                                         .value()
                                         .public_key()
                                         .ToPem();
            }));
  b.Genesis(kS, "genesis-v2-witness-key-is-admin-key", kGenesis,
            "A witness key that is an admin key", tt([&](json::value& g) {
              witness(g).at("key") = Admin(g, 0).at("keys").as_array().at(0);
            }));
  b.Genesis(kS, "genesis-v2-witness-unknown-member", kGenesis, "A witness with a url member",
            tt([&](json::value& g) { witness(g).as_object()["url"] = "https://w.example"; }));
}

void AddGenesisV2(CaseBuilder& b) {
  const vectors::Golden& s = b.corpus().golden(kS);
  const json::value v1 = json::parse(s.chain->chain().genesis().ToJson());
  auto v2 = [&v1](const std::function<void(json::value&)>& change) {
    return [&v1, change](json::value& g) {
      g = GenesisV2(v1);
      change(g);
    };
  };
  b.Genesis(kS, "genesis-v2", "",
            "The same chain's register as a version-2 genesis (params, admins, an observer): "
            "the receipt verifies as against version 1",
            v2([](json::value&) {}));
  b.last().existed_by_ms = s.existed_by_ms;
  b.Genesis(kS, "genesis-v2-without-observers", "",
            "A version-2 genesis with no observers (an empty list)",
            v2([](json::value& g) { g.at("observers") = json::array(); }));
  b.last().existed_by_ms = s.existed_by_ms;
  b.Genesis(kS, "genesis-v-1", kGenesis, "\"v\": 1 written out (version 1 has no \"v\")",
            [](json::value& g) { g.as_object()["v"] = 1; });
  b.Genesis(kS, "genesis-v-3", kGenesis, "\"v\": 3 (only 2)",
            v2([](json::value& g) { g.at("v") = 3; }));
  b.Genesis(kS, "genesis-v2-without-params", kGenesis, "A version-2 genesis without params",
            v2([](json::value& g) { g.as_object().erase("params"); }));
  b.Genesis(kS, "genesis-v1-with-admins", kGenesis,
            "A version-1 genesis (no \"v\") with admins: an unknown member",
            v2([](json::value& g) { g.as_object().erase("v"); }));
  b.Genesis(kS, "genesis-v2-param-unknown", kGenesis, "params with a seventh member",
            v2([](json::value& g) { g.at("params").as_object()["block_time_ms"] = 1000; }));
  b.Genesis(kS, "genesis-v2-block-bytes-4095", kGenesis, "params.block_bytes_max 4095 (4096..16777216)",
            v2([](json::value& g) { g.at("params").at("block_bytes_max") = 4095; }));
  b.Genesis(kS, "genesis-v2-skew-over-a-day", kGenesis,
            "params.record_future_skew_ms 86400001 (0..86400000)",
            v2([](json::value& g) { g.at("params").at("record_future_skew_ms") = 86400001; }));
  b.Genesis(kS, "genesis-v2-threshold-0", kGenesis, "params.governance_threshold 0 (1..admins)",
            v2([](json::value& g) { g.at("params").at("governance_threshold") = 0; }));
  b.Genesis(kS, "genesis-v2-threshold-over-admins", kGenesis,
            "params.governance_threshold 5 with 4 admin institutions",
            v2([](json::value& g) { g.at("params").at("governance_threshold") = 5; }));
  b.Genesis(kS, "genesis-v2-no-admins", kGenesis, "No admins (1..64 institutions)",
            v2([](json::value& g) { g.at("admins") = json::array(); }));
  b.Genesis(kS, "genesis-v2-admin-institution-twice", kGenesis,
            "Two admins entries for one institution",
            v2([](json::value& g) { Admin(g, 1).at("institution") = Admin(g, 0).at("institution"); }));
  b.Genesis(kS, "genesis-v2-admin-without-keys", kGenesis, "An institution with no admin keys (1..16)",
            v2([](json::value& g) { Admin(g, 2).at("keys") = json::array(); }));
  b.Genesis(kS, "genesis-v2-admin-key-twice", kGenesis,
            "One admin key held by two institutions",
            v2([](json::value& g) { Admin(g, 1).at("keys") = Admin(g, 0).at("keys"); }));
  b.Genesis(kS, "genesis-v2-admin-key-is-vote-key", kGenesis,
            "An admin key that is also a validator's vote key (admin keys are separate)",
            v2([](json::value& g) {
              Admin(g, 0).at("keys") = json::array{Validator(g, 0).at("vote_key")};
            }));
  b.Genesis(kS, "genesis-v2-admin-key-is-agency-key", kGenesis,
            "An admin key that is also an agency key",
            v2([](json::value& g) {
              Admin(g, 3).at("keys") = json::array{Agency(g, 0).at("keys").as_array().at(0)};
            }));
  b.Genesis(kS, "genesis-v2-admin-key-is-observer-key", kGenesis,
            "An admin key that is also an observer's node key",
            v2([](json::value& g) {
              Admin(g, 2).at("keys") = json::array{Observer(g, 0).at("node_key")};
            }));
  b.Genesis(kS, "genesis-v2-validator-institution-without-admins", kGenesis,
            "A validator whose institution holds no admin keys",
            v2([](json::value& g) { Admin(g, 3).at("institution") = "泗水县审计局"; }));
  b.Genesis(kS, "genesis-v2-observer-named-as-validator", kGenesis,
            "An observer with a validator's name",
            v2([](json::value& g) { Observer(g, 0).at("name") = Validator(g, 1).at("name"); }));
  b.Genesis(kS, "genesis-v2-observer-node-key-of-validator", kGenesis,
            "An observer with a validator's node key",
            v2([](json::value& g) { Observer(g, 0).at("node_key") = Validator(g, 2).at("node_key"); }));
  b.Genesis(kS, "genesis-v2-observer-unknown-member", kGenesis,
            "An observer with a power (observers have no vote)",
            v2([](json::value& g) { Observer(g, 0).as_object()["power"] = 1; }));
  AddGenesisV2TrustedTime(b, v1);
}

void AddJsonSyntax(CaseBuilder& b) {
  auto text = [&](std::string name, std::string description,
                  std::function<void(std::string&)> change) {
    b.Text(kS, std::move(name), kMalformed, std::move(description), change);
  };
  text("json-empty", "An empty file", [](std::string& t) { t.clear(); });
  text("json-truncated", "The text cut short", [](std::string& t) { t.resize(t.size() / 2); });
  text("json-trailing-data", "Data after the object", [](std::string& t) { t += "{}"; });
  text("json-top-level-array", "An array around the receipt",
       [](std::string& t) { t = "[" + t + "]"; });
  text("json-byte-order-mark", "A UTF-8 byte order mark before the object",
       [](std::string& t) { t = "\xEF\xBB\xBF" + t; });
  text("json-duplicate-member", "tree_size twice at the top",
       [](std::string& t) { Replace(t, "{\"block\"", "{\"tree_size\":6,\"block\""); });
  text("json-duplicate-record-member", "title twice in the record",
       [](std::string& t) { Replace(t, "\"record\":{", "\"record\":{\"title\":\"x\","); });
  text("json-fraction", "leaf_index written 2.0",
       [](std::string& t) { Replace(t, "\"leaf_index\":2", "\"leaf_index\":2.0"); });
  text("json-exponent", "leaf_index written 2e0",
       [](std::string& t) { Replace(t, "\"leaf_index\":2", "\"leaf_index\":2e0"); });
  text("json-integer-too-large", "commit.round 9007199254740992 (2^53)",
       [](std::string& t) { Replace(t, "\"round\":0", "\"round\":9007199254740992"); });
  text("json-nan", "leaf_index NaN",
       [](std::string& t) { Replace(t, "\"leaf_index\":2", "\"leaf_index\":NaN"); });
  text("json-comment", "A comment in the text",
       [](std::string& t) { Replace(t, "{\"block\"", "{/* c */\"block\""); });
  text("json-single-quotes", "A string in single quotes",
       [](std::string& t) { Replace(t, "\"stage\":\"decision\"", "\"stage\":'decision'"); });
  text("json-invalid-utf8", "A byte 0xFF in the title",
       [](std::string& t) { Replace(t, "\"title\":\"", "\"title\":\"\xFF"); });
  text("json-lone-surrogate", "A lone UTF-16 surrogate escape (\\ud800) in the title",
       [](std::string& t) { Replace(t, "\"title\":\"", "\"title\":\"\\ud800"); });
  text("json-raw-control-character", "A raw tab inside a string (JSON needs \\t)",
       [](std::string& t) { Replace(t, "\"stage\":\"decision\"", "\"stage\":\"deci\tsion\""); });
  b.Text(kS, "json-over-size-limit", kMalformed,
         "262145 bytes (white space after the object): over the 256 KiB limit",
         [](std::string& t) { t.insert(t.size() - 1, 262145 - t.size(), ' '); });
}

// --- Receipts that break the v1 receipt schema (exit 2). ---

void AddSchema(CaseBuilder& b) {
  auto json_case = [&](const std::string& base, std::string name, std::string description,
                       std::function<void(json::value&)> change) {
    b.Json(base, std::move(name), kMalformed, std::move(description), change);
  };
  json_case(kS, "schema-unknown-member", "An unknown top-level member",
            [](json::value& r) { r.as_object()["note"] = "x"; });
  json_case(kS, "schema-unknown-record-member", "An unknown member in the record",
            [](json::value& r) { At(r, "record").as_object()["extra"] = 1; });
  json_case(kS, "schema-unknown-sig-member", "An unknown member in record.sig",
            [](json::value& r) { At(r, "record.sig").as_object()["extra"] = 1; });
  json_case(kS, "schema-unknown-block-member", "An unknown member in block",
            [](json::value& r) { At(r, "block").as_object()["extra"] = 1; });
  json_case(kS, "schema-unknown-commit-signature-member",
            "An unknown member in a commit signature",
            [](json::value& r) { At(r, "commit.signatures.0").as_object()["extra"] = 1; });
  json_case(kS, "schema-missing-inclusion-proof", "inclusion_proof left out",
            [](json::value& r) { Erase(r, "inclusion_proof"); });
  json_case(kS, "schema-missing-record-sig", "record.sig left out",
            [](json::value& r) { Erase(r, "record.sig"); });
  json_case(kS, "schema-missing-block-time", "block.time_ms left out",
            [](json::value& r) { Erase(r, "block.time_ms"); });
  json_case(kS, "schema-leaf-index-string", "leaf_index as the string \"2\"",
            [](json::value& r) { At(r, "leaf_index") = "2"; });
  json_case(kS, "schema-leaf-index-null", "leaf_index null",
            [](json::value& r) { At(r, "leaf_index") = nullptr; });
  json_case(kS, "schema-leaf-index-negative", "leaf_index -1 (0..2^53-1)",
            [](json::value& r) { At(r, "leaf_index") = -1; });
  json_case(kS, "schema-inclusion-proof-not-array", "inclusion_proof a string",
            [](json::value& r) { At(r, "inclusion_proof") = "00"; });
  json_case(kS, "schema-record-not-object", "record an array",
            [](json::value& r) { At(r, "record") = json::array(); });
  json_case(kS, "schema-title-number", "record.title the number 5",
            [](json::value& r) { At(r, "record.title") = 5; });
  json_case(kS, "schema-batch-null", "record.sig.batch null (absent or an object)",
            [](json::value& r) { At(r, "record.sig").as_object()["batch"] = nullptr; });
  json_case(kS, "schema-hash-upper-case", "block.log_root in upper-case hex",
            [](json::value& r) {
              std::string hex = Str(At(r, "block.log_root"));
              for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
              At(r, "block.log_root") = hex;
            });
  json_case(kS, "schema-hash-63-digits", "validator_set_hash of 63 hex digits",
            [](json::value& r) {
              At(r, "validator_set_hash") = Str(At(r, "validator_set_hash")).substr(1);
            });
  json_case(kS, "schema-proof-hash-not-hex", "An inclusion proof hash with a 'g'",
            [](json::value& r) {
              std::string hex = Str(At(r, "inclusion_proof.0"));
              hex[10] = 'g';
              At(r, "inclusion_proof.0") = hex;
            });
  json_case(kS, "schema-base64-padding-bits", "A commit signature whose base64 padding bits are not zero",
            [](json::value& r) {
              At(r, "commit.signatures.0.signature") =
                  NonzeroPaddingBits(Str(At(r, "commit.signatures.0.signature")));
            });
  json_case(kS, "schema-base64-no-padding", "sig.value without its '=' padding",
            [](json::value& r) {
              std::string value = Str(At(r, "record.sig.value"));
              while (value.back() == '=') value.pop_back();
              At(r, "record.sig.value") = value;
            });
  json_case(kS, "schema-base64-line-break", "A line break inside sig.value",
            [](json::value& r) {
              std::string value = Str(At(r, "record.sig.value"));
              At(r, "record.sig.value") = value.substr(0, 40) + "\n" + value.substr(40);
            });
  json_case(kS, "schema-base64-url-alphabet", "sig.value in the URL-safe alphabet",
            [](json::value& r) {
              std::string value = Str(At(r, "record.sig.value"));
              for (char& c : value) c = c == '+' ? '-' : c == '/' ? '_' : c;
              EVIDENCE_CHECK(value != Str(At(r, "record.sig.value")));
              At(r, "record.sig.value") = value;
            });
  json_case(kS, "schema-proposer-over-u32", "block.proposer 2^32 (a u32)",
            [](json::value& r) { At(r, "block.proposer") = uint64_t{1} << 32; });
  json_case(kS, "schema-round-over-u32", "commit.round 2^32 (a u32)",
            [](json::value& r) { At(r, "commit.round") = uint64_t{1} << 32; });
  json_case(kS, "schema-validator-index-over-u32", "A commit signature's validator 2^32 (a u32)",
            [](json::value& r) { At(r, "commit.signatures.0.validator") = uint64_t{1} << 32; });
  json_case(kS, "schema-block-chain-id-not-identifier",
            "block.chain_id with a space (the genesis chain id rule)",
            [](json::value& r) { At(r, "block.chain_id") = "sishui evidence"; });
  json_case(kS, "schema-block-chain-id-65-bytes", "block.chain_id of 65 bytes (1..64)",
            [](json::value& r) { At(r, "block.chain_id") = std::string(65, 'c'); });
  json_case(kS, "schema-inclusion-proof-65", "65 inclusion proof hashes (at most 64)",
            [](json::value& r) {
              json::array& proof = At(r, "inclusion_proof").as_array();
              while (proof.size() < 65) proof.push_back(proof[0]);
            });
  json_case(kS, "schema-commit-1001-signatures", "1001 commit signatures (at most 1000)",
            [](json::value& r) {
              json::array& signatures = At(r, "commit.signatures").as_array();
              while (signatures.size() < 1001) signatures.push_back(signatures[0]);
            });
  json_case(kS, "schema-commit-signature-257-bytes", "A commit signature of 257 bytes (at most 256)",
            [](json::value& r) { At(r, "commit.signatures.0.signature") = Base64Encode(Bytes(257, 7)); });
}

// --- Records that break the v1 record format (exit 2). ---

void AddRecordFormat(CaseBuilder& b) {
  auto record = [&](const std::string& base, std::string name, std::string description,
                    std::function<void(json::value&)> change) {
    b.Json(base, "record-" + name, kMalformed, std::move(description),
           [&](json::value& r) { change(At(r, "record")); });
  };
  record(kS, "v-2", "record.v 2 inside a v1 receipt (records are v1)",
         [](json::value& r) { At(r, "v") = 2; });
  record(kS, "kind-unknown", "kind \"penalty\" (not one of the five kinds)",
         [](json::value& r) { At(r, "kind") = "penalty"; });
  record(kS, "case-id-empty", "case_id empty (1..256 bytes)",
         [](json::value& r) { At(r, "case_id") = ""; });
  record(kS, "case-id-257-bytes", "case_id of 257 bytes (1..256)",
         [](json::value& r) { At(r, "case_id") = std::string(257, 'c'); });
  record(kS, "stage-empty", "stage empty (1..64 bytes)", [](json::value& r) { At(r, "stage") = ""; });
  record(kS, "stage-65-bytes", "stage of 65 bytes (1..64)",
         [](json::value& r) { At(r, "stage") = std::string(65, 's'); });
  record(kS, "media-type-empty", "media_type empty (1..128 bytes)",
         [](json::value& r) { At(r, "media_type") = ""; });
  record(kS, "media-type-129-bytes", "media_type of 129 bytes (1..128)",
         [](json::value& r) { At(r, "media_type") = std::string(129, 'm'); });
  record(kS, "title-1025-bytes", "title of 1025 bytes (0..1024)",
         [](json::value& r) { At(r, "title") = std::string(1022, 't') + "行"; });
  record(kS, "title-control-character", "title holding U+0001 (no C0 control characters)",
         [](json::value& r) { At(r, "title") = "行政\x01复议"; });
  record(kS, "title-newline", "title holding a line feed (no C0 control characters)",
         [](json::value& r) { At(r, "title") = "行政\n复议"; });
  record(kS, "title-del", "title holding U+007F DEL", [](json::value& r) { At(r, "title") = "行政\x7f"; });
  record(kS, "chain-id-not-identifier", "record.chain_id with a space",
         [](json::value& r) { At(r, "chain_id") = "sishui evidence"; });
  record(kS, "agency-not-identifier", "agency with a space (1..128 of A-Z a-z 0-9 . _ -)",
         [](json::value& r) { At(r, "agency") = "sishui justice bureau"; });
  record(kS, "agency-129-bytes", "agency of 129 bytes (1..128)",
         [](json::value& r) { At(r, "agency") = std::string(129, 'a'); });
  record(kS, "digest-unknown-algorithm", "digest \"sha512:...\" (sha256 or sm3)",
         [](json::value& r) { At(r, "digest") = "sha512:" + Str(At(r, "digest")).substr(7); });
  record(kS, "digest-upper-case", "digest hex in upper case", [](json::value& r) {
    std::string digest = Str(At(r, "digest"));
    for (size_t i = 7; i < digest.size(); ++i) digest[i] = static_cast<char>(std::toupper(digest[i]));
    At(r, "digest") = digest;
  });
  record(kS, "size-negative", "size -1 (0..2^53-1)", [](json::value& r) { At(r, "size") = -1; });
  record(kS, "time-negative", "time -1 (0..2^53-1)", [](json::value& r) { At(r, "time") = -1; });
  record(kS, "links-17", "17 links (at most 16)", [](json::value& r) {
    json::array& links = At(r, "links").as_array();
    for (int k = 0; links.size() < 17; ++k) {
      links.emplace_back(crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, std::to_string(k))));
    }
  });
  record(kS, "link-repeated", "the same link twice", [](json::value& r) {
    json::array& links = At(r, "links").as_array();
    links.push_back(links[0]);
  });
  record(kS, "link-upper-case", "a link in upper-case hex", [](json::value& r) {
    std::string link = Str(At(r, "links.0"));
    for (char& c : link) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    At(r, "links.0") = link;
  });
  record(kS, "sig-alg-unknown", "sig.alg \"rsa\"", [](json::value& r) { At(r, "sig.alg") = "rsa"; });
  record(kS, "sig-key-63-digits", "sig.key of 63 hex digits",
         [](json::value& r) { At(r, "sig.key") = Str(At(r, "sig.key")).substr(1); });
  record(kS, "sig-value-empty", "sig.value empty (1..256 bytes)",
         [](json::value& r) { At(r, "sig.value") = ""; });
  record(kS, "sig-value-257-bytes", "sig.value of 257 bytes (1..256)",
         [](json::value& r) { At(r, "sig.value") = Base64Encode(Bytes(257, 1)); });
  record(kB, "batch-size-0", "sig.batch.size 0 (1..10000)",
         [](json::value& r) { At(r, "sig.batch.size") = 0; });
  record(kB, "batch-size-10001", "sig.batch.size 10001 (1..10000)",
         [](json::value& r) { At(r, "sig.batch.size") = 10001; });
  record(kB, "batch-index-equals-size", "sig.batch.index = size (must be less)",
         [](json::value& r) { At(r, "sig.batch.index") = 3; });
  record(kB, "batch-path-65", "65 batch path hashes (at most 64)", [](json::value& r) {
    json::array& path = At(r, "sig.batch.path").as_array();
    while (path.size() < 65) path.push_back(path[0]);
  });
  record(kB, "over-4096-bytes",
         "every field within its limit, but the record's JCS over 4096 bytes (64 path hashes)",
         [](json::value& r) {
           json::array& path = At(r, "sig.batch.path").as_array();
           while (path.size() < 64) path.push_back(path[0]);
         });
}

// --- Receipt versions (exit 2: the version is read before anything else). ---
// Version 2 (receipts after a governance change, §11) is checked by `evidence
// verify` only so far (ledger/receipt_test.cc); the page's verifiers know v1:
// the unknown version of these cases is 3.

void AddVersion(CaseBuilder& b) {
  b.Json(kS, "version-3", kVersion, "v 3: a later receipt version this page does not define",
         [](json::value& r) { At(r, "v") = 3; });
  b.Json(kS, "version-0", kVersion, "v 0", [](json::value& r) { At(r, "v") = 0; });
  b.Json(kS, "version-3-other-members", kVersion,
         "v 3 with members v1 does not know and no record: the version decides first",
         [](json::value& r) {
           At(r, "v") = 3;
           Erase(r, "record");
           r.as_object()["governance"] = json::array();
         });
  // Nesting is bounded before anything is read: 8 levels (the receipt object is level 1).
  auto nested = [](int levels) {
    json::value value = json::array();
    for (int k = 1; k < levels; ++k) value = json::array({value});
    return value;
  };
  b.Json(kS, "version-3-depth-8", kVersion, "v 3 and a member nested 8 levels deep in all",
         [&](json::value& r) {
           At(r, "v") = 3;
           r.as_object()["x"] = nested(7);
         });
  b.Json(kS, "json-depth-9", kMalformed,
         "v 3 and a member nested 9 levels deep in all: refused as JSON, before the version",
         [&](json::value& r) {
           At(r, "v") = 3;
           r.as_object()["x"] = nested(8);
         });
  b.Json(kS, "version-string", kMalformed, "v as the string \"1\"",
         [](json::value& r) { At(r, "v") = "1"; });
  b.Json(kS, "version-missing", kMalformed, "v left out", [](json::value& r) { Erase(r, "v"); });
}

// --- Checks 1 to 3 (exit 1). ---

void AddChecks1To3(CaseBuilder& b) {
  b.Json(kS, "chain-record", kChain, "record.chain_id names another chain",
         [](json::value& r) { At(r, "record.chain_id") = "other-chain"; });
  b.Json(kS, "chain-block", kChain, "block.chain_id names another chain",
         [](json::value& r) { At(r, "block.chain_id") = "other-chain"; });
  b.Json(kS, "chain-genesis", kChain, "A valid receipt checked with another chain's genesis",
         [](json::value&) {});
  b.last().genesis = "sm3-sm2.json";
  b.Json(kS, "digest-other-document", kDigest, "A valid receipt and another document",
         [](json::value&) {});
  b.last().document = "other-document.txt";
  b.Json(kM, "digest-other-document-sm3", kDigest, "The SM3/SM2 receipt and another document",
         [](json::value&) {});
  b.last().document = "other-document.txt";
  auto signature = [&](const std::string& base, std::string name, std::string description,
                       std::function<void(json::value&)> change) {
    b.Json(base, "signature-" + name, kSignature, std::move(description), change);
  };
  signature(kS, "title-changed", "The title changed: the signature no longer verifies",
            [](json::value& r) { At(r, "record.title") = "行政复议决定书（改）"; });
  signature(kS, "agency-unknown", "record.agency is not in genesis",
            [](json::value& r) { At(r, "record.agency") = "nobody"; });
  signature(kS, "key-of-other-agency", "sig.key is a key genesis registers for another agency",
            [&](json::value& r) {
              At(r, "record.sig.key") = b.corpus().golden(kS).chain->chain().agency_key(0).key_id();
            });
  signature(kS, "key-unknown", "sig.key names no key in genesis",
            [](json::value& r) { At(r, "record.sig.key") = std::string(64, '0'); });
  signature(kS, "alg-not-the-keys", "sig.alg p256 for an Ed25519 key (sig.alg must be the key's)",
            [](json::value& r) { At(r, "record.sig.alg") = "p256"; });
  signature(kS, "bit-flipped", "One bit of sig.value flipped",
            [](json::value& r) { At(r, "record.sig.value") = FlipBase64(Str(At(r, "record.sig.value"))); });
  signature(kS, "ed25519-s-not-reduced", "Ed25519 signature with S + L for S (RFC 8032 refuses S >= L)",
            [](json::value& r) { At(r, "record.sig.value") = Ed25519SPlusL(Str(At(r, "record.sig.value"))); });
  signature(kS, "ed25519-63-bytes", "Ed25519 signature of 63 bytes (exactly 64)", [](json::value& r) {
    Bytes value = Base64Decode(Str(At(r, "record.sig.value"))).value();
    value.pop_back();
    At(r, "record.sig.value") = Base64Encode(value);
  });
  signature(kPH, "p256-ber", "P-256 signature with a long-form DER length (BER, not DER)",
            [](json::value& r) { At(r, "record.sig.value") = BerLength(Str(At(r, "record.sig.value"))); });
  signature(kPH, "p256-raw-r-s", "P-256 signature as raw r || s (64 bytes; DER is required)",
            [](json::value& r) { At(r, "record.sig.value") = RawRs(Str(At(r, "record.sig.value"))); });
  signature(kM, "sm2-bit-flipped", "One bit of the SM2 signature flipped",
            [](json::value& r) { At(r, "record.sig.value") = FlipBase64(Str(At(r, "record.sig.value")), 10); });
  signature(kB, "batch-path-flipped", "A batch path hash changed",
            [](json::value& r) { At(r, "record.sig.batch.path.0") = FlipHex(Str(At(r, "record.sig.batch.path.0"))); });
  signature(kB, "batch-index-changed", "sig.batch.index 0 instead of 1",
            [](json::value& r) { At(r, "record.sig.batch.index") = 0; });
  signature(kB, "batch-root-changed", "sig.batch.root changed",
            [](json::value& r) { At(r, "record.sig.batch.root") = FlipHex(Str(At(r, "record.sig.batch.root"))); });
  signature(kB, "batch-size-changed", "sig.batch.size 4 instead of 3 (the path no longer fits)",
            [](json::value& r) { At(r, "record.sig.batch.size") = 4; });
  signature(kB, "batch-signature-flipped", "One bit of the batch signature flipped",
            [](json::value& r) { At(r, "record.sig.value") = FlipBase64(Str(At(r, "record.sig.value"))); });
  signature(kB, "batch-dropped", "sig.batch left out: the batch signature is not a record signature",
            [](json::value& r) { Erase(r, "record.sig.batch"); });
  signature(kMB, "sm2-batch-path-flipped", "A batch path hash of the SM3/SM2 batch changed",
            [](json::value& r) { At(r, "record.sig.batch.path.0") = FlipHex(Str(At(r, "record.sig.batch.path.0"))); });
}

// --- Checks 4 and 5 (exit 1). ---

void AddChecks4To5(CaseBuilder& b) {
  auto inclusion = [&](std::string name, std::string description,
                       std::function<void(json::value&)> change) {
    b.Json(kS, "inclusion-" + name, kInclusion, std::move(description), change);
  };
  inclusion("tree-size-not-log-size", "tree_size 7, block.log_size 6",
            [](json::value& r) { At(r, "tree_size") = 7; });
  inclusion("leaf-index-changed", "leaf_index 3 instead of 2",
            [](json::value& r) { At(r, "leaf_index") = 3; });
  inclusion("leaf-index-outside-tree", "leaf_index 6 in a tree of 6",
            [](json::value& r) { At(r, "leaf_index") = 6; });
  inclusion("proof-hash-changed", "One inclusion proof hash changed",
            [](json::value& r) { At(r, "inclusion_proof.1") = FlipHex(Str(At(r, "inclusion_proof.1"))); });
  inclusion("proof-too-short", "The last inclusion proof hash left out",
            [](json::value& r) { At(r, "inclusion_proof").as_array().pop_back(); });
  inclusion("proof-too-long", "One hash too many in the inclusion proof", [](json::value& r) {
    json::array& proof = At(r, "inclusion_proof").as_array();
    proof.push_back(proof[0]);
  });
  inclusion("other-record", "Another record of the chain, validly signed, in place of this one",
            [&](json::value& r) {
              At(r, "record") = ledger::RecordToJson(b.corpus().golden(kB).receipt.record);
            });
  b.last().document = b.corpus().golden(kB).document;
  auto header = [&](std::string name, std::string description,
                    std::function<void(json::value&)> change) {
    b.Json(kS, "header-" + name, kHeader, std::move(description), change);
  };
  header("proposer", "block.proposer changed", [](json::value& r) { At(r, "block.proposer") = 3; });
  header("time", "block.time_ms one millisecond later",
         [](json::value& r) { At(r, "block.time_ms") = At(r, "block.time_ms").to_number<int64_t>() + 1; });
  header("previous-hash", "block.previous_hash changed",
         [](json::value& r) { At(r, "block.previous_hash") = FlipHex(Str(At(r, "block.previous_hash"))); });
  header("leaves-root", "block.leaves_root changed",
         [](json::value& r) { At(r, "block.leaves_root") = FlipHex(Str(At(r, "block.leaves_root"))); });
  header("evidence-hash", "block.evidence_hash changed",
         [](json::value& r) { At(r, "block.evidence_hash") = FlipHex(Str(At(r, "block.evidence_hash"))); });
  header("last-commit-hash", "block.last_commit_hash changed",
         [](json::value& r) { At(r, "block.last_commit_hash") = FlipHex(Str(At(r, "block.last_commit_hash"))); });
  header("commit-height", "commit.height 3 for a block of height 2",
         [](json::value& r) { At(r, "commit.height") = 3; });
  header("both-heights", "block.height and commit.height both 3 (the header hash changes)",
         [](json::value& r) {
           At(r, "block.height") = 3;
           At(r, "commit.height") = 3;
         });
  header("commit-block-hash", "commit.block_hash changed",
         [](json::value& r) { At(r, "commit.block_hash") = FlipHex(Str(At(r, "commit.block_hash"))); });
}

// --- Checks 6 and 7 (exit 1). ---

void AddChecks6To7(CaseBuilder& b) {
  auto commit = [&](const std::string& base, std::string name, std::string description,
                    std::function<void(json::value&)> change) {
    b.Json(base, "commit-" + name, kCommit, std::move(description), change);
  };
  commit(kS, "two-of-four", "Precommits of validators 0 and 1 only: power 2 of 4",
         [](json::value& r) { At(r, "commit.signatures").as_array().resize(2); });
  commit(kP, "exactly-two-thirds",
         "Validators 0 and 3 (power 4 of 6): exactly 2/3 is not more than 2/3",
         [](json::value& r) {
           json::array& signatures = At(r, "commit.signatures").as_array();
           signatures.erase(signatures.begin() + 1, signatures.begin() + 3);
         });
  commit(kS, "signature-flipped", "One bit of validator 1's precommit signature flipped",
         [](json::value& r) {
           At(r, "commit.signatures.1.signature") = FlipBase64(Str(At(r, "commit.signatures.1.signature")));
         });
  commit(kS, "timestamp-changed", "Validator 2's timestamp changed (it is in the signed bytes)",
         [](json::value& r) {
           At(r, "commit.signatures.2.timestamp_ms") =
               At(r, "commit.signatures.2.timestamp_ms").to_number<int64_t>() + 1;
         });
  commit(kS, "unknown-validator", "A signature of validator 4 in a set of 4",
         [](json::value& r) { At(r, "commit.signatures.3.validator") = 4; });
  commit(kS, "not-increasing", "Signatures of validators 1 and 0 in that order", [](json::value& r) {
    json::array& signatures = At(r, "commit.signatures").as_array();
    std::swap(signatures[0], signatures[1]);
  });
  commit(kS, "repeated-validator", "Validator 3's precommit twice, after 0 and 1 (power 2 + 1 + 1)",
         [](json::value& r) {
           json::array& signatures = At(r, "commit.signatures").as_array();
           signatures[2] = signatures[3];
         });
  commit(kS, "no-signatures", "An empty signature list",
         [](json::value& r) { At(r, "commit.signatures") = json::array(); });
  commit(kS, "round-changed", "commit.round 1: the precommits were signed for round 0",
         [](json::value& r) { At(r, "commit.round") = 1; });
  commit(kS, "signature-of-another-validator", "Validator 0's signature bytes under validator 1",
         [](json::value& r) {
           At(r, "commit.signatures.1.signature") = At(r, "commit.signatures.0.signature");
         });
  commit(kS, "signature-empty", "An empty precommit signature",
         [](json::value& r) { At(r, "commit.signatures.2.signature") = ""; });
  b.Typed(kS, "commit-height-zero", kCommit,
          "block.height and commit.height 0, the commit signed again over that header: heights "
          "start at 1",
          [](Receipt& r, const VectorChain& chain) {
            r.header.height = 0;
            r.commit.height = 0;
            chain.Recommit(r);
          });
  b.Json(kS, "validator-set-hash", kValidators, "validator_set_hash changed",
         [](json::value& r) { At(r, "validator_set_hash") = FlipHex(Str(At(r, "validator_set_hash"))); });
  b.Typed(kS, "validator-set-block-hash", kValidators,
          "block.validators_hash changed and the commit signed again over that header",
          [](Receipt& r, const VectorChain& chain) {
            r.header.validators_hash[0] ^= 1;
            chain.Recommit(r);
          });
  b.Genesis(kS, "validator-set-other-powers", kValidators,
            "A valid genesis with the same keys but validator 3 of power 2: the commit holds "
            "(power 5 of 5), the validator set hash does not",
            [](json::value& g) { Validator(g, 3).at("power") = 2; });
}

// --- Receipts v2 (docs/receipt-format.md §11): the governed chain. ---

// The base: block 8, committed by the rotated validator set; its receipt carries
// the governance blocks of heights 2, 4 and 6.
const std::string kG = "governed-new-validator-set";

// A governance block's actions changed, its actions_root set to theirs and the
// block committed again (by the validators of its height): the validators
// signed a block with these actions, so only the action's own rules decide.
void ChangeActions(Receipt& r, const VectorChain& chain, size_t block,
                   const std::function<void(ledger::GovernanceAction&)>& change, size_t index = 0) {
  ledger::GovernanceBlock& g = r.governance.at(block);
  ledger::GovernanceAction action = ledger::ParseAction(g.actions.at(index)).value();
  change(action);
  g.actions[index] = ledger::ActionLeaf(action);
  g.header.actions_root = ledger::LeavesRoot(chain.hash(), g.actions);
  chain.Recommit(g.header, g.commit);
}

// Validator `index`'s precommit of `commit` signed with `key` instead.
void SignWith(ledger::Commit& commit, const VectorChain& chain, uint32_t index,
              const crypto::PrivateKey& key) {
  for (ledger::CommitSignature& s : commit.signatures) {
    if (s.validator_index != index) continue;
    ledger::Vote vote{ledger::VoteType::kPrecommit, commit.height, commit.round, commit.block_hash,
                      s.timestamp_ms, s.validator_index, {}};
    s.signature = key.Sign(ledger::VoteSigningBytes(chain.chain().genesis().chain_id(), vote)).value();
  }
}

crypto::PrivateKey RotatedCourtKey() {
  // Spare key 2 of the fixed test keys: validator 3's vote key from block 8 (vector_chains.cc).
  return crypto::PrivateKey::FromPem(
             ledger::testing::FixedTestKeyPem(ledger::testing::kSpareKeysFirst + 2))
      .value();
}

void AddGovernanceBlocks(CaseBuilder& b) {
  auto json = [&](std::string name, std::string code, std::string description,
                  std::function<void(json::value&)> change) {
    b.Json(kG, "gov-" + name, std::move(code), std::move(description), change);
  };
  auto typed = [&](std::string name, std::string code, std::string description,
                   std::function<void(Receipt&, const VectorChain&)> change) {
    b.Typed(kG, "gov-" + name, std::move(code), std::move(description), change);
  };
  json("missing-first-block", kGovernance,
       "governance[0] (block 2) left out: block 4's state_hash is not the genesis register",
       [](json::value& r) { At(r, "governance").as_array().erase(At(r, "governance").as_array().begin()); });
  json("missing-last-block", kGovernance,
       "governance[2] (block 6) left out: block 8's state_hash is not the register blocks 2 and 4 "
       "give",
       [](json::value& r) { At(r, "governance").as_array().pop_back(); });
  json("no-blocks", kGovernance,
       "An empty governance list: the version-2 block commits to a changed register",
       [](json::value& r) { At(r, "governance") = json::array(); });
  json("reordered", kGovernance, "governance[0] and [1] swapped (heights 4, 2, 6)",
       [](json::value& r) {
         json::array& blocks = At(r, "governance").as_array();
         std::swap(blocks[0], blocks[1]);
       });
  json("repeated-block", kGovernance, "governance[1] (block 4) twice: heights must increase",
       [](json::value& r) {
         json::array& blocks = At(r, "governance").as_array();
         blocks.insert(blocks.begin() + 2, blocks[1]);
       });
  json("action-changed", kGovernance,
       "One bit of an admin signature in governance[0]'s first action flipped: the actions are "
       "not the block's actions_root",
       [](json::value& r) {
         json::value action = json::parse(Str(At(r, "governance.0.actions.0")));
         At(action, "sigs.0.value") = FlipBase64(Str(At(action, "sigs.0.value")));
         At(r, "governance.0.actions.0") = ledger::CanonicalJson(action).value();
       });
  json("action-dropped", kGovernance, "governance[0]'s second action left out",
       [](json::value& r) { At(r, "governance.0.actions").as_array().pop_back(); });
  json("actions-root-changed", kGovernance,
       "governance[1].block.actions_root changed: the header is not the block its commit signs",
       [](json::value& r) {
         At(r, "governance.1.block.actions_root") = FlipHex(Str(At(r, "governance.1.block.actions_root")));
       });
  json("too-few-precommits", kGovernance,
       "governance[2]'s commit by validators 0 and 1 only (power 2 of 4)",
       [](json::value& r) { At(r, "governance.2.commit.signatures").as_array().resize(2); });
  json("other-chain-block", kGovernance, "governance[0].block.chain_id of another chain",
       [](json::value& r) { At(r, "governance.0.block.chain_id") = "other-chain"; });
  json("version-1-block", kGovernance,
       "governance[0].block without its version-2 members: a version-1 header carries no actions",
       [](json::value& r) {
         for (const char* member : {"version", "actions_root", "next_validators_hash", "state_hash"}) {
           Erase(r, std::string("governance.0.block.") + member);
         }
       });
  typed("forged-action-signature", kGovernance,
        "An admin signature of governance[0]'s first action (add-agency) changed, the block's "
        "actions_root set to the changed action and the block committed again by the validators: "
        "the action's signature does not verify",
        [](Receipt& r, const VectorChain& chain) {
          ChangeActions(r, chain, 0, [](ledger::GovernanceAction& a) { a.sigs.at(0).value.at(5) ^= 1; });
        });
  typed("too-few-admin-signatures", kGovernance,
        "governance[0]'s first action signed by the admins of two institutions (threshold 3), "
        "the block committed again over it",
        [](Receipt& r, const VectorChain& chain) {
          ChangeActions(r, chain, 0, [](ledger::GovernanceAction& a) { a.sigs.pop_back(); });
        });
  typed("replayed-sequence", kGovernance,
        "governance[1]'s first action carries seq 1 (used in block 2), the block committed again",
        [](Receipt& r, const VectorChain& chain) {
          ChangeActions(r, chain, 1, [&chain](ledger::GovernanceAction& a) {
            a.seq = 1;
            a.sigs.clear();
            for (size_t i : {0, 1, 2}) EVIDENCE_CHECK(ledger::SignAction(chain.chain().admin_key(i), a).ok());
          });
        });
  typed("commit-by-wrong-set", kGovernance,
        "governance[2] (block 6) with validator 3's precommit signed by its rotated key, which is "
        "in force only from block 8",
        [](Receipt& r, const VectorChain& chain) {
          SignWith(r.governance.at(2).commit, chain, 3, RotatedCourtKey());
        });
  typed("changed-register", kGovernance,
        "governance[1].block.state_hash changed and the block committed again: not the register "
        "block 2 gives",
        [](Receipt& r, const VectorChain& chain) {
          ledger::GovernanceBlock& g = r.governance.at(1);
          g.header.state_hash[0] ^= 1;
          chain.Recommit(g.header, g.commit);
        });
  typed("changed-next-validators", kGovernance,
        "governance[2].block.next_validators_hash changed and the block committed again",
        [](Receipt& r, const VectorChain& chain) {
          ledger::GovernanceBlock& g = r.governance.at(2);
          g.header.next_validators_hash[0] ^= 1;
          chain.Recommit(g.header, g.commit);
        });
  typed("block-changed-register", kGovernance,
        "The receipt's block.state_hash changed and block 8 committed again: not the register the "
        "governance blocks give",
        [](Receipt& r, const VectorChain& chain) {
          r.header.state_hash[0] ^= 1;
          chain.Recommit(r);
        });
}

// The trusted-time actions (add-witness, remove-witness, set-tsa-ca) changed,
// signed again by the admins and committed again by the validators: only the
// action's own rules decide.
void AddTrustedTimeActions(CaseBuilder& b) {
  const std::string base = "trusted-time-after-removal";
  auto resign = [](ledger::GovernanceAction& a, const VectorChain& chain) {
    a.sigs.clear();
    for (size_t i : {0, 1, 2}) EVIDENCE_CHECK(ledger::SignAction(chain.chain().admin_key(i), a).ok());
  };
  b.Typed(base, "tt-witness-key-of-genesis-witness", kGovernance,
          "block 2's add-witness with the key of the genesis witness (a key is never registered "
          "twice), signed and committed again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(r, chain, 0, [&](ledger::GovernanceAction& a) {
              std::get<ledger::AddWitness>(a.body).witness.key =
                  crypto::PrivateKey::FromPem(ledger::testing::FixedTestKeyPem(ledger::testing::kSpareKeysFirst))
                      .value()
                      .public_key();
              resign(a, chain);
            });
          });
  b.Typed(base, "tt-witness-key-not-ed25519", kGovernance,
          "block 2's add-witness with a P-256 key (cosignatures are Ed25519), signed and committed "
          "again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(r, chain, 0, [&](ledger::GovernanceAction& a) {
              std::get<ledger::AddWitness>(a.body).witness.key =
                  crypto::PrivateKey::FromPem(ledger::testing::FixedTestKeyPem(
                                                  8, crypto::SignatureAlgorithm::kP256))
                      .value()
                      .public_key();
              resign(a, chain);
            });
          });
  b.Typed(base, "tt-tsa-ca-institution-without-admins", kGovernance,
          "block 2's set-tsa-ca for an institution without admin keys, signed and committed again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(
                r, chain, 0,
                [&](ledger::GovernanceAction& a) {
                  std::get<ledger::SetTsaCa>(a.body).institution = "泗水县审计局";
                  resign(a, chain);
                },
                1);
          });
  b.Typed(base, "tt-remove-unknown-witness", kGovernance,
          "block 4's remove-witness names no witness of the register, signed and committed again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(r, chain, 1, [&](ledger::GovernanceAction& a) {
              std::get<ledger::RemoveWitness>(a.body).name = "witness.example.org/w9";
              resign(a, chain);
            });
          });
  b.Typed(base, "tt-witness-name-taken", kGovernance,
          "block 2's add-witness named as the genesis witness, signed and committed again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(r, chain, 0, [&](ledger::GovernanceAction& a) {
              std::get<ledger::AddWitness>(a.body).witness.name = "witness.example.org/w1";
              resign(a, chain);
            });
          });
  b.Typed(base, "tt-tsa-ca-unchanged", kGovernance,
          "block 4's set-tsa-ca gives the court the CA it has (the genesis one), signed and "
          "committed again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(
                r, chain, 1,
                [&](ledger::GovernanceAction& a) {
                  std::get<ledger::SetTsaCa>(a.body).ca_cert = crypto::ParseCaCertificate(kCourtCaPem).value();
                  resign(a, chain);
                },
                1);
          });
  b.Typed(base, "tt-tsa-ca-not-a-ca", kGovernance,
          "block 4's set-tsa-ca with a TSA certificate (CA:FALSE), signed and committed again",
          [&resign](Receipt& r, const VectorChain& chain) {
            ChangeActions(
                r, chain, 1,
                [&](ledger::GovernanceAction& a) {
                  std::get<ledger::SetTsaCa>(a.body).ca_cert.pem = std::string(kCourtTsaPem);
                  resign(a, chain);
                },
                1);
          });
  b.Json(base, "tt-witness-key-changed", kGovernance,
         "block 2's add-witness names another key (its signatures and the block's actions_root "
         "left as they were)",
         [](json::value& r) {
           json::value action = json::parse(Str(At(r, "governance.0.actions.0")));
           At(action, "witness.key") = PublicPemOfFixed(ledger::testing::kSpareKeysFirst + 3);
           At(r, "governance.0.actions.0") = ledger::CanonicalJson(action).value();
         });
}

void AddGovernanceReceipts(CaseBuilder& b) {
  b.Json(kG, "gov-missing-governance", kMalformed, "A v2 receipt without \"governance\"",
         [](json::value& r) { Erase(r, "governance"); });
  b.Json(kG, "gov-extra-member", kMalformed, "governance[0] with an unknown member",
         [](json::value& r) { At(r, "governance.0").as_object()["extra"] = 1; });
  b.Json(kG, "gov-action-not-string", kMalformed, "governance[0].actions[0] an object, not its JCS text",
         [](json::value& r) {
           At(r, "governance.0.actions.0") = json::parse(Str(At(r, "governance.0.actions.0")));
         });
  b.Json(kG, "gov-block-version-3", kMalformed, "block.version 3",
         [](json::value& r) { At(r, "block.version") = 3; });
  b.Json(kG, "gov-as-v1", kMalformed,
         "\"v\": 1 without governance: a version-1 receipt cannot hold a version-2 block",
         [](json::value& r) {
           At(r, "v") = 1;
           Erase(r, "governance");
         });
  b.Json(kG, "gov-version-3", kVersion, "\"v\": 3", [](json::value& r) { At(r, "v") = 3; });
  b.Json(kG, "gov-other-document", kDigest, "The receipt of block 8 and another document",
         [](json::value&) {});
  b.last().document = "other-document.txt";
  b.Json(kG, "gov-order-governance-before-digest", kGovernance,
         "A governance block left out and another document: the governance blocks are checked "
         "before the document",
         [](json::value& r) { At(r, "governance").as_array().pop_back(); });
  b.last().document = "other-document.txt";
  b.Json(kG, "gov-order-chain-before-governance", kChain,
         "record.chain_id of another chain and no governance blocks",
         [](json::value& r) {
           At(r, "record.chain_id") = "other-chain";
           At(r, "governance") = json::array();
         });
  b.Typed(kG, "gov-old-set-commit", kCommit,
          "Block 8's commit with validator 3's precommit by its old vote key (rotated from block 8)",
          [](Receipt& r, const VectorChain& chain) {
            SignWith(r.commit, chain, 3, chain.chain().validator_key(3));
          });
  b.Json(kG, "gov-genesis-validator-set-hash", kValidators,
         "validator_set_hash of the genesis validators: not the set in force at block 8",
         [](json::value& r) { At(r, "validator_set_hash") = At(r, "governance.0.block.validators_hash"); });
  b.Json("governed-added-key", "gov-key-of-other-agency", kSignature,
         "The record of the added key, attributed to agency 0 (the key is agency 1's)",
         [](json::value& r) { At(r, "record.agency") = "sishui-market-supervision"; });
}

// --- Several faults: the first check in order decides. ---

void AddOrdering(CaseBuilder& b) {
  b.GenesisText(kS, "order-genesis-before-receipt", kGenesis,
                "An invalid genesis and a receipt that is not JSON: the genesis is read first",
                "{}");
  b.last().receipt_text = "not json";
  b.Json(kS, "order-malformed-before-chain", kMalformed,
         "record.chain_id of another chain and a title of 1025 bytes: format before checks",
         [](json::value& r) {
           At(r, "record.chain_id") = "other-chain";
           At(r, "record.title") = std::string(1025, 't');
         });
  b.Json(kS, "order-chain-before-digest", kChain, "Another chain and another document",
         [](json::value& r) { At(r, "block.chain_id") = "other-chain"; });
  b.last().document = "other-document.txt";
  b.Json(kS, "order-digest-before-inclusion", kDigest, "Another document and a broken proof",
         [](json::value& r) { At(r, "inclusion_proof").as_array().pop_back(); });
  b.last().document = "other-document.txt";
  b.Json(kS, "order-signature-before-commit", kSignature,
         "A changed title (signature, inclusion and the rest fail) and a commit of two",
         [](json::value& r) {
           At(r, "record.title") = "x";
           At(r, "commit.signatures").as_array().resize(2);
         });
  b.Json(kS, "order-header-before-commit", kHeader, "A changed proposer and an empty commit",
         [](json::value& r) {
           At(r, "block.proposer") = 0;
           At(r, "commit.signatures") = json::array();
         });
  b.Json(kS, "order-commit-before-validator-set", kCommit,
         "A commit of two and a changed validator_set_hash", [](json::value& r) {
           At(r, "commit.signatures").as_array().resize(2);
           At(r, "validator_set_hash") = FlipHex(Str(At(r, "validator_set_hash")));
         });
}

}  // namespace

int ExitStatusOf(const std::string& code) {
  if (code.empty()) return 0;
  if (code == kMalformed || code == kVersion || code == kGenesis) return 2;
  return 1;
}

}  // namespace evidence::vectors

namespace evidence::vectors {

VectorSet BuildCases(const Corpus& corpus) {
  VectorSet out;
  CaseBuilder builder(corpus, out);
  AddValid(builder);
  AddGenesis(builder);
  AddGenesisKeys(builder);
  AddGenesisV2(builder);
  AddJsonSyntax(builder);
  AddSchema(builder);
  AddRecordFormat(builder);
  AddVersion(builder);
  AddChecks1To3(builder);
  AddChecks4To5(builder);
  AddChecks6To7(builder);
  AddOrdering(builder);
  AddGovernanceBlocks(builder);
  AddGovernanceReceipts(builder);
  AddTrustedTimeActions(builder);
  for (const VectorCase& c : out.cases) {
    EVIDENCE_CHECK_MSG(c.code.empty() == c.existed_by_ms.has_value(), c.name.c_str());
  }
  return out;
}

}  // namespace evidence::vectors
