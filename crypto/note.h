// Signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and
// Ed25519 cosignatures (c2sp.org/tlog-cosignature, type 0x04); docs/witness.md.
//
// A note is text ending in a newline, a blank line, and signature lines
// "— <key name> <base64(4-byte key ID || signature)>\n". Decoding is strict:
// valid UTF-8, no control characters but newline, at most kNoteBytesMax bytes and
// kNoteSignaturesMax signatures, canonical base64, key names without spaces or
// '+'. EncodeNote(DecodeNote(x)) == x for every accepted x.
//
// Keys (NoteKey) and their signature types:
//   0x01  Ed25519 over the note text (the spec's own type): validators with an
//         Ed25519 vote key; key ID = SHA-256(name || 0x0A || 0x01 || 32-byte key)[:4].
//   0x04  Ed25519 timestamped cosignature: witnesses. The signature is the
//         8-byte big-endian POSIX time || Ed25519 over
//         "cosignature/v1\ntime <T>\n" || note text;
//         key ID = SHA-256(name || 0x0A || 0x04 || 32-byte key)[:4].
//   0xff  "evidence-ledger/p256" or "evidence-ledger/sm2": validators whose vote key
//         is P-256 or SM2 (the spec leaves other types to the key ID; 0xff is its
//         byte for types without an assigned one). The signature is the DER
//         ECDSA-SHA-256 or SM2-SM3 (user id "1234567812345678") signature of the
//         note text; key ID = SHA-256(name || 0x0A || 0xff || identifier || SPKI DER)[:4].
//
// Thread-safety: values and pure functions; a NoteKey is immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/signature.h"

namespace evidence::crypto {

inline constexpr size_t kNoteBytesMax = 16 * 1024;
inline constexpr size_t kNoteSignaturesMax = 64;  // the spec requires at least 16
inline constexpr size_t kNoteKeyNameBytesMax = 256;

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;  // without the key ID
  bool operator==(const NoteSignature&) const = default;
};

struct Note {
  std::string text;  // ends with "\n"
  std::vector<NoteSignature> signatures;
};

Result<Note> DecodeNote(std::string_view bytes);
// Whether `name` may name a key: non-empty, at most kNoteKeyNameBytesMax bytes of
// UTF-8, no Unicode space, no '+'.
bool IsNoteKeyName(std::string_view name);
// CHECKs that `note` is well-formed (what DecodeNote accepts).
std::string EncodeNote(const Note& note);

// A checkpoint's note text: origin, size, base64 root, no extension lines.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Bytes root;  // 32 bytes
  bool operator==(const Checkpoint&) const = default;
};
Result<Checkpoint> DecodeCheckpointText(std::string_view text);
std::string EncodeCheckpointText(const Checkpoint& checkpoint);

enum class NoteKeyType { kEd25519, kCosignatureV1, kP256, kSm2 };

class NoteKey {
 public:
  // A validator's vote key (Ed25519 -> 0x01; P-256, SM2 -> 0xff identifiers).
  static NoteKey ForValidator(std::string name, const PublicKey& key);
  // A witness's Ed25519 key, cosigning with type 0x04. Refuses other algorithms.
  static Result<NoteKey> ForWitness(std::string name, const PublicKey& key);
  // A verifier key "<name>+<hex key ID>+<base64(type || key)>" of type 0x01 or
  // 0x04 (Ed25519). The key ID must match.
  static Result<NoteKey> FromVkey(std::string_view vkey);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  NoteKeyType type() const { return type_; }
  const PublicKey& public_key() const { return key_; }
  // "<name>+<hex key ID>+<base64>" for Ed25519 keys (0x01, 0x04); empty otherwise.
  std::string Vkey() const;

  bool Matches(const NoteSignature& signature) const {
    return signature.name == name_ && signature.key_id == key_id_;
  }
  // For a matching signature: whether it verifies over `text` (for a
  // cosignature, `time_seconds` receives its timestamp).
  bool Verify(std::string_view text, const NoteSignature& signature,
              uint64_t* time_seconds = nullptr) const;

 private:
  NoteKey(std::string name, NoteKeyType type, PublicKey key);
  std::string name_;
  NoteKeyType type_;
  PublicKey key_;
  uint32_t key_id_ = 0;
};

// Signs `text` with `key` as `name` would (the private key must be the public
// key's of a NoteKey of this type). For kCosignatureV1, `time_seconds` is the
// cosignature's timestamp.
Result<NoteSignature> SignNote(const PrivateKey& key, std::string_view name, NoteKeyType type,
                               std::string_view text, uint64_t time_seconds = 0);

// The message a type 0x04 cosignature signs.
std::string CosignedMessage(std::string_view text, uint64_t time_seconds);

}  // namespace evidence::crypto
