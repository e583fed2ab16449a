// Fuzz target: the C2SP signed-note decoders (crypto/note.h) a witness, a
// monitor or a node (POST /v1/cosignatures) feeds with bytes from outside:
// DecodeNote, DecodeCheckpointText on the input and on a decoded note's text,
// and NoteKey::FromVkey on the input's first line.
//
// Properties: an accepted note encodes back to the input byte for byte and has
// at most kNoteSignaturesMax signatures with key names IsNoteKeyName accepts;
// an accepted checkpoint text encodes back to its input with a 32-byte root; an
// accepted verifier key prints back as itself and no signature over other text
// verifies with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/note.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evidence::crypto;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto note = DecodeNote(input); note.ok()) {
    FUZZ_EXPECT(EncodeNote(*note) == input);
    FUZZ_EXPECT(note->signatures.size() <= kNoteSignaturesMax);
    for (const NoteSignature& signature : note->signatures) {
      FUZZ_EXPECT(IsNoteKeyName(signature.name));
    }
    if (auto checkpoint = DecodeCheckpointText(note->text); checkpoint.ok()) {
      FUZZ_EXPECT(checkpoint->root.size() == 32);
      FUZZ_EXPECT(EncodeCheckpointText(*checkpoint) == note->text);
    }
  }
  if (auto checkpoint = DecodeCheckpointText(input); checkpoint.ok()) {
    FUZZ_EXPECT(EncodeCheckpointText(*checkpoint) == input);
  }
  std::string_view first_line = input.substr(0, input.find('\n'));
  if (auto key = NoteKey::FromVkey(first_line); key.ok()) {
    FUZZ_EXPECT(key->Vkey() == first_line);
    NoteSignature forged{key->name(), key->key_id(), evidence::Bytes(64, 0x5a)};
    FUZZ_EXPECT(key->Matches(forged));
    FUZZ_EXPECT(!key->Verify("not signed\n", forged));
  }
  return 0;
}
