#include "crypto/note.h"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/check.h"
#include "common/encoding.h"
#include "crypto/hash.h"

namespace evidence::crypto {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr std::string_view kP256Identifier = "evidence-ledger/p256";
constexpr std::string_view kSm2Identifier = "evidence-ledger/sm2";
constexpr uint8_t kTypeEd25519 = 0x01;
constexpr uint8_t kTypeCosignature = 0x04;
constexpr uint8_t kTypeOther = 0xff;

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("malformed note: " + std::string(what));
}

// Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t point = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2;
      point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      point = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      point = (point << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < kMinimum[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// Key names: non-empty, no Unicode space (ASCII space and the non-ASCII spaces
// are all refused by refusing every byte <= 0x20 and the UTF-8 of U+0085, U+00A0,
// U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), no '+'.
bool IsKeyName(std::string_view name) {
  if (name.empty() || name.size() > kNoteKeyNameBytesMax || !IsUtf8(name)) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '+' || c == 0x7F) return false;
  }
  static constexpr std::string_view kSpaces[] = {
      "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81",
      "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
      "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8",
      "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};
  for (std::string_view space : kSpaces) {
    if (name.find(space) != std::string_view::npos) return false;
  }
  return true;
}

uint32_t KeyIdOf(std::string_view name, uint8_t type, std::string_view identifier,
                 ByteView material) {
  Hasher hasher(HashAlgorithm::kSha256);
  hasher.Update(name).Update(uint8_t{0x0A}).Update(type).Update(identifier).Update(material);
  const Digest digest = hasher.Finish();
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
         uint32_t{digest[3]};
}

// The 32 raw bytes of an Ed25519 public key.
Bytes Ed25519Raw(const PublicKey& key) {
  EVIDENCE_CHECK(key.algorithm() == SignatureAlgorithm::kEd25519);
  Bytes raw(32);
  size_t length = raw.size();
  EVIDENCE_CHECK(EVP_PKEY_get_raw_public_key(static_cast<EVP_PKEY*>(key.native_handle()),
                                             raw.data(), &length) == 1 &&
                 length == 32);
  return raw;
}

Result<PublicKey> Ed25519FromRaw(ByteView raw) {
  if (raw.size() != 32) return Status::InvalidArgument("an Ed25519 key is 32 bytes");
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size());
  if (pkey == nullptr) return Status::InvalidArgument("not an Ed25519 key");
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(pkey, &der);
  EVP_PKEY_free(pkey);
  if (length <= 0) return Status::Internal("cannot encode an Ed25519 key");
  Bytes spki(der, der + length);
  OPENSSL_free(der);
  return PublicKey::FromSpkiDer(spki);
}

void AppendBigEndian(Bytes& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

bool IsNoteKeyName(std::string_view name) { return IsKeyName(name); }

Result<Note> DecodeNote(std::string_view bytes) {
  if (bytes.size() > kNoteBytesMax) return Malformed("over " + std::to_string(kNoteBytesMax) + " bytes");
  if (!IsUtf8(bytes)) return Malformed("not UTF-8");
  for (char c : bytes) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return Malformed("a control character");
  }
  // The text ends at the last blank line: the signatures follow "\n\n".
  const size_t split = bytes.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  Note note;
  note.text = std::string(bytes.substr(0, split + 1));
  std::string_view rest = bytes.substr(split + 2);
  if (rest.empty()) return Malformed("no signatures");
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    if (end == std::string_view::npos) return Malformed("the last signature line has no newline");
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (!line.starts_with(kDash)) return Malformed("a signature line does not start with \"— \"");
    line.remove_prefix(kDash.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return Malformed("a signature line has no signature");
    NoteSignature signature;
    signature.name = std::string(line.substr(0, space));
    if (!IsKeyName(signature.name)) return Malformed("a key name is empty or has a space or '+'");
    auto decoded = Base64Decode(line.substr(space + 1));
    if (!decoded.ok() || decoded->size() < 5) return Malformed("a signature is not base64 of 5+ bytes");
    signature.key_id = (uint32_t{(*decoded)[0]} << 24) | (uint32_t{(*decoded)[1]} << 16) |
                       (uint32_t{(*decoded)[2]} << 8) | uint32_t{(*decoded)[3]};
    signature.signature.assign(decoded->begin() + 4, decoded->end());
    if (note.signatures.size() == kNoteSignaturesMax) {
      return Malformed("more than " + std::to_string(kNoteSignaturesMax) + " signatures");
    }
    note.signatures.push_back(std::move(signature));
  }
  return note;
}

std::string EncodeNote(const Note& note) {
  EVIDENCE_CHECK(!note.text.empty() && note.text.back() == '\n');
  std::string out = note.text + "\n";
  for (const NoteSignature& signature : note.signatures) {
    EVIDENCE_CHECK(IsKeyName(signature.name));
    Bytes blob;
    for (int shift = 24; shift >= 0; shift -= 8) {
      blob.push_back(static_cast<uint8_t>(signature.key_id >> shift));
    }
    blob.insert(blob.end(), signature.signature.begin(), signature.signature.end());
    out += std::string(kDash) + signature.name + " " + Base64Encode(blob) + "\n";
  }
  return out;
}

Result<Checkpoint> DecodeCheckpointText(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return Malformed("the checkpoint does not end with a newline");
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  if (lines.size() != 3) return Malformed("a checkpoint here is exactly origin, size and root");
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.empty()) return Malformed("empty origin");
  const std::string_view size = lines[1];
  if (size.empty() || size.size() > 19 || size.find_first_not_of("0123456789") != std::string_view::npos ||
      (size.size() > 1 && size[0] == '0')) {
    return Malformed("the size is not a decimal without leading zeros");
  }
  checkpoint.size = std::stoull(std::string(size));
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != kDigestBytes) return Malformed("the root is not base64 of 32 bytes");
  checkpoint.root = std::move(*root);
  return checkpoint;
}

std::string EncodeCheckpointText(const Checkpoint& checkpoint) {
  EVIDENCE_CHECK(!checkpoint.origin.empty() && checkpoint.root.size() == kDigestBytes);
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
         Base64Encode(checkpoint.root) + "\n";
}

std::string CosignedMessage(std::string_view text, uint64_t time_seconds) {
  return "cosignature/v1\ntime " + std::to_string(time_seconds) + "\n" + std::string(text);
}

NoteKey::NoteKey(std::string name, NoteKeyType type, PublicKey key)
    : name_(std::move(name)), type_(type), key_(std::move(key)) {
  switch (type_) {
    case NoteKeyType::kEd25519:
      key_id_ = KeyIdOf(name_, kTypeEd25519, "", Ed25519Raw(key_));
      break;
    case NoteKeyType::kCosignatureV1:
      key_id_ = KeyIdOf(name_, kTypeCosignature, "", Ed25519Raw(key_));
      break;
    case NoteKeyType::kP256:
      key_id_ = KeyIdOf(name_, kTypeOther, kP256Identifier, key_.spki_der());
      break;
    case NoteKeyType::kSm2:
      key_id_ = KeyIdOf(name_, kTypeOther, kSm2Identifier, key_.spki_der());
      break;
  }
}

NoteKey NoteKey::ForValidator(std::string name, const PublicKey& key) {
  EVIDENCE_CHECK(IsKeyName(name));
  switch (key.algorithm()) {
    case SignatureAlgorithm::kEd25519:
      return NoteKey(std::move(name), NoteKeyType::kEd25519, key);
    case SignatureAlgorithm::kP256:
      return NoteKey(std::move(name), NoteKeyType::kP256, key);
    case SignatureAlgorithm::kSm2:
      return NoteKey(std::move(name), NoteKeyType::kSm2, key);
  }
  EVIDENCE_CHECK_MSG(false, "unknown signature algorithm");
  return NoteKey(std::move(name), NoteKeyType::kEd25519, key);
}

Result<NoteKey> NoteKey::ForWitness(std::string name, const PublicKey& key) {
  if (!IsKeyName(name)) return Status::InvalidArgument("a witness name has no spaces or '+'");
  if (key.algorithm() != SignatureAlgorithm::kEd25519) {
    return Status::InvalidArgument("a witness key is Ed25519 (tlog-cosignature v1)");
  }
  return NoteKey(std::move(name), NoteKeyType::kCosignatureV1, key);
}

Result<NoteKey> NoteKey::FromVkey(std::string_view vkey) {
  const size_t first = vkey.find('+');
  const size_t second = first == std::string_view::npos ? first : vkey.find('+', first + 1);
  // The name has no '+'; the base64 key after the second one may.
  if (second == std::string_view::npos) {
    return Status::InvalidArgument("a vkey is <name>+<hex key ID>+<base64 key>");
  }
  std::string name(vkey.substr(0, first));
  // Only the form Vkey() writes (lowercase hex) is read, so that two vkeys of one key are
  // the same text: genesis, node.toml and the witness compare vkeys as strings.
  const std::string_view id_hex = vkey.substr(first + 1, second - first - 1);
  const bool lowercase = std::all_of(id_hex.begin(), id_hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  auto id = HexDecodeExact(id_hex, 4);
  auto material = Base64Decode(vkey.substr(second + 1));
  if (!IsKeyName(name) || !lowercase || !id.ok() || !material.ok() || material->size() != 33) {
    return Status::InvalidArgument("a vkey is <name>+<8 hex digits>+<base64 of 33 bytes>");
  }
  const uint8_t type = (*material)[0];
  if (type != kTypeEd25519 && type != kTypeCosignature) {
    return Status::InvalidArgument("only Ed25519 vkeys (type 0x01 or 0x04) are read");
  }
  EVIDENCE_ASSIGN_OR_RETURN(PublicKey key, Ed25519FromRaw(ByteView(material->data() + 1, 32)));
  NoteKey out(std::move(name),
              type == kTypeEd25519 ? NoteKeyType::kEd25519 : NoteKeyType::kCosignatureV1, key);
  const uint32_t expected = (uint32_t{(*id)[0]} << 24) | (uint32_t{(*id)[1]} << 16) |
                            (uint32_t{(*id)[2]} << 8) | uint32_t{(*id)[3]};
  if (out.key_id() != expected) return Status::InvalidArgument("the vkey's key ID does not match");
  return out;
}

std::string NoteKey::Vkey() const {
  if (type_ != NoteKeyType::kEd25519 && type_ != NoteKeyType::kCosignatureV1) return "";
  Bytes material = {type_ == NoteKeyType::kEd25519 ? kTypeEd25519 : kTypeCosignature};
  const Bytes raw = Ed25519Raw(key_);
  material.insert(material.end(), raw.begin(), raw.end());
  char id[9];
  std::snprintf(id, sizeof(id), "%08x", key_id_);
  return name_ + "+" + id + "+" + Base64Encode(material);
}

bool NoteKey::Verify(std::string_view text, const NoteSignature& signature,
                     uint64_t* time_seconds) const {
  if (!Matches(signature)) return false;
  if (type_ != NoteKeyType::kCosignatureV1) return key_.Verify(AsBytes(text), signature.signature);
  if (signature.signature.size() != 8 + 64) return false;
  uint64_t time = 0;
  for (size_t i = 0; i < 8; ++i) time = (time << 8) | signature.signature[i];
  if (time > (uint64_t{1} << 63) - 1) return false;
  const std::string message = CosignedMessage(text, time);
  if (!key_.Verify(AsBytes(message), ByteView(signature.signature.data() + 8, 64))) return false;
  if (time_seconds != nullptr) *time_seconds = time;
  return true;
}

Result<NoteSignature> SignNote(const PrivateKey& key, std::string_view name, NoteKeyType type,
                               std::string_view text, uint64_t time_seconds) {
  NoteKey note_key = type == NoteKeyType::kCosignatureV1
                         ? NoteKey::ForWitness(std::string(name), key.public_key()).value()
                         : NoteKey::ForValidator(std::string(name), key.public_key());
  EVIDENCE_CHECK(note_key.type() == type);
  NoteSignature signature;
  signature.name = std::string(name);
  signature.key_id = note_key.key_id();
  if (type == NoteKeyType::kCosignatureV1) {
    EVIDENCE_CHECK(time_seconds <= (uint64_t{1} << 63) - 1);
    AppendBigEndian(signature.signature, time_seconds);
    EVIDENCE_ASSIGN_OR_RETURN(Bytes raw, key.Sign(AsBytes(CosignedMessage(text, time_seconds))));
    signature.signature.insert(signature.signature.end(), raw.begin(), raw.end());
  } else {
    EVIDENCE_ASSIGN_OR_RETURN(signature.signature, key.Sign(AsBytes(text)));
  }
  return signature;
}

}  // namespace evidence::crypto
