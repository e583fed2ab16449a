#include "crypto/note.h"

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.h"

namespace evidence::crypto {
namespace {

// c2sp.org/signed-note, "Verifier keys" example, byte for byte.
constexpr std::string_view kExampleVkey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr std::string_view kExampleNote =
    "This is an example message.\n"
    "\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

// c2sp.org/tlog-cosignature, the checkpoint with a cosignature.
constexpr std::string_view kCosignedCheckpoint =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xE2\x80\x94 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\xE2\x80\x94 witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

// c2sp.org/signed-note, the opening example (a text with empty lines).
constexpr std::string_view kPoemNote =
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed \xC3\xA8 subito sera.\n"
    "\n"
    "\xE2\x80\x94 quasimodo.example/salvatore "
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

TEST(NoteTest, TheSpecsVerifierKeyVerifiesTheSpecsNote) {
  auto key = NoteKey::FromVkey(kExampleVkey);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->name(), "example.com/foo");
  EXPECT_EQ(key->key_id(), 0x530d903au);
  EXPECT_EQ(key->Vkey(), kExampleVkey);
  auto note = DecodeNote(kExampleNote);
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(note->text, "This is an example message.\n");
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_TRUE(key->Verify(note->text, note->signatures[0]));
  EXPECT_FALSE(key->Verify("This is an example message!\n", note->signatures[0]));
  EXPECT_EQ(EncodeNote(*note), kExampleNote);
}

TEST(NoteTest, TheSpecsExamplesDecodeAndEncodeByteForByte) {
  for (std::string_view example : {kExampleNote, kCosignedCheckpoint, kPoemNote}) {
    auto note = DecodeNote(example);
    ASSERT_TRUE(note.ok()) << note.status().message();
    EXPECT_EQ(EncodeNote(*note), example);
  }
  auto poem = DecodeNote(kPoemNote);
  // The last blank line splits text and signatures; the poem keeps its own.
  EXPECT_TRUE(poem->text.ends_with("sole:\n\ned \xC3\xA8 subito sera.\n"));
}

TEST(NoteTest, TheSpecsCheckpointAndCosignatureAreRead) {
  auto note = DecodeNote(kCosignedCheckpoint);
  ASSERT_TRUE(note.ok());
  auto checkpoint = DecodeCheckpointText(note->text);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().message();
  EXPECT_EQ(checkpoint->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint->size, 20852163u);
  EXPECT_EQ(Base64Encode(checkpoint->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_EQ(EncodeCheckpointText(*checkpoint), note->text);
  // The cosignature: key ID, then the timestamp of the spec's signed message
  // ("time 1679315147"), then 64 bytes of Ed25519.
  const NoteSignature& cosignature = note->signatures[1];
  EXPECT_EQ(cosignature.name, "witness.example.com/w1");
  EXPECT_EQ(cosignature.key_id, 0x8d66cf3fu);
  ASSERT_EQ(cosignature.signature.size(), 72u);
  uint64_t time = 0;
  for (size_t i = 0; i < 8; ++i) time = (time << 8) | cosignature.signature[i];
  EXPECT_EQ(time, 1679315147u);
  EXPECT_EQ(CosignedMessage(note->text, time),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
}

TEST(NoteTest, ValidatorsOfEveryAlgorithmSignAndWitnessesCosign) {
  const std::string text = EncodeCheckpointText({"localnet-sishui", 5, Bytes(32, 7)});
  for (SignatureAlgorithm algorithm :
       {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kP256, SignatureAlgorithm::kSm2}) {
    auto key = PrivateKey::Generate(algorithm);
    ASSERT_TRUE(key.ok());
    NoteKey verifier = NoteKey::ForValidator("localnet-sishui/court", key->public_key());
    auto signature = SignNote(*key, "localnet-sishui/court", verifier.type(), text);
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(verifier.Verify(text, *signature));
    EXPECT_FALSE(verifier.Verify(text + "x\n", *signature));
    NoteKey other = NoteKey::ForValidator("localnet-sishui/notary", key->public_key());
    EXPECT_FALSE(other.Matches(*signature));  // the name is in the key ID
  }
  auto witness_key = PrivateKey::Generate(SignatureAlgorithm::kEd25519);
  auto witness = NoteKey::ForWitness("witness.example/w1", witness_key->public_key());
  ASSERT_TRUE(witness.ok());
  auto cosignature = SignNote(*witness_key, "witness.example/w1", NoteKeyType::kCosignatureV1, text,
                              1'796'000'000);
  ASSERT_TRUE(cosignature.ok());
  uint64_t time = 0;
  EXPECT_TRUE(witness->Verify(text, *cosignature, &time));
  EXPECT_EQ(time, 1'796'000'000u);
  NoteSignature later = *cosignature;
  later.signature[7] ^= 1;  // another time than the one signed
  EXPECT_FALSE(witness->Verify(text, later));
  // A witness vkey round-trips (type 0x04).
  auto again = NoteKey::FromVkey(witness->Vkey());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key_id(), witness->key_id());
  EXPECT_TRUE(again->Verify(text, *cosignature));
  // Regression: a vkey whose base64 key holds '+' (about one key in five) was refused.
  for (int i = 0; i < 64; ++i) {
    auto key = PrivateKey::Generate(SignatureAlgorithm::kEd25519);
    auto vkey = NoteKey::ForWitness("w", key->public_key())->Vkey();
    ASSERT_TRUE(NoteKey::FromVkey(vkey).ok()) << vkey;
  }
  auto p256 = PrivateKey::Generate(SignatureAlgorithm::kP256);
  EXPECT_FALSE(NoteKey::ForWitness("w", p256->public_key()).ok());
}

TEST(NoteTest, MalformedNotesAreRefused) {
  const std::string good(kExampleNote);
  const std::string dash = "\xE2\x80\x94 ";
  for (const std::string& bad : std::vector<std::string>{
           std::string(""),
           std::string("text\n"),                                   // no blank line
           std::string("text\n\n"),                                 // no signatures
           "text\n\n" + dash + "name AAAAAAA=",                     // no final newline
           std::string("text\n\n- name AAAAAAA=\n"),                // not an em dash
           "text\n\n" + dash + "na+me AAAAAAA=\n",                  // '+' in the name
           "text\n\n" + dash + "name\xC2\xA0x AAAAAAA=\n",          // a Unicode space
           "text\n\n" + dash + " AAAAAAA=\n",                       // empty name
           "text\n\n" + dash + "name AAAA\n",                       // 3 bytes
           "text\n\n" + dash + "name AAAAAAA\n",                    // bad padding
           "te\txt\n\n" + dash + "name AAAAAAA=\n",                 // control character
           "te\xC3xt\n\n" + dash + "name AAAAAAA=\n",               // not UTF-8
           "text\n\n" + dash + "name AAAAAAA=\n\n",                 // trailing blank line
           std::string(kNoteBytesMax, 'a') + "\n\n" + dash + "n AAAAAAA=\n",
       }) {
    EXPECT_FALSE(DecodeNote(bad).ok()) << bad;
  }
  std::string many = "text\n\n";
  for (size_t i = 0; i <= kNoteSignaturesMax; ++i) many += dash + "n AAAAAAA=\n";
  EXPECT_FALSE(DecodeNote(many).ok());
  EXPECT_TRUE(DecodeNote(good).ok());
  for (std::string_view bad : {"o\n5\n", "o\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                               "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                               "o\n5\nCsUY\n", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next\n",
                               "o\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"}) {
    EXPECT_FALSE(DecodeCheckpointText(bad).ok()) << bad;
  }
  EXPECT_FALSE(NoteKey::FromVkey("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").ok());
  EXPECT_FALSE(NoteKey::FromVkey("example.com/foo+530d903a").ok());
  // The key ID in uppercase is the same number, but not the form a vkey is written in: read
  // as a key, it would not equal its own Vkey() (found by fuzz_note).
  EXPECT_FALSE(NoteKey::FromVkey("example.com/foo+530D903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").ok());
}

}  // namespace
}  // namespace evidence::crypto
