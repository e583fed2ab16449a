#include "node/checkpoints.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/clock.h"
#include "common/encoding.h"
#include "tests/ledger/test_chain.h"

namespace evidence::node {
namespace {

namespace fs = std::filesystem;
using ledger::testing::TestChain;

constexpr uint64_t kNowSeconds = 1'800'000'000;

class CheckpointServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("checkpoints-test-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(WallClockMs()));
    auto store = ledger::Store::Open(dir_.string(), chain_.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    witness_key_ = std::move(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value());
    stranger_key_ = std::move(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value());
    std::vector<crypto::NoteKey> witnesses = {
        crypto::NoteKey::ForWitness("witness.example/w1", witness_key_->public_key()).value()};
    service_ = std::make_unique<CheckpointService>(
        chain_.genesis(), *store_, &chain_.validator_key(0), chain_.genesis().validators()[0].name,
        std::move(witnesses), [] { return kNowSeconds; });
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
    fs::remove(StatePath());
  }

  std::string StatePath() const { return dir_.string() + "-cosignatures.json"; }
  // A service that keeps its cosignatures in StatePath(), as a node does.
  std::unique_ptr<CheckpointService> Persistent(std::vector<crypto::NoteKey> witnesses) {
    return std::make_unique<CheckpointService>(
        chain_.genesis(), *store_, &chain_.validator_key(0), chain_.genesis().validators()[0].name,
        std::move(witnesses), [] { return kNowSeconds; }, StatePath());
  }
  crypto::NoteKey WitnessKey() const {
    return crypto::NoteKey::ForWitness("witness.example/w1", witness_key_->public_key()).value();
  }

  void CommitBlock(uint64_t seed) {
    TestChain::Step step = chain_.Next({chain_.MakeRecord(0, "(2026)鲁0831行罚1号", seed)});
    ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
  }

  std::string Cosign(const crypto::PrivateKey& key, std::string_view name, std::string_view text,
                     uint64_t time = kNowSeconds) {
    crypto::Note note;
    note.text = std::string(text);
    note.signatures.push_back(
        crypto::SignNote(key, name, crypto::NoteKeyType::kCosignatureV1, text, time).value());
    return crypto::EncodeNote(note);
  }

  std::string CurrentText() {
    return crypto::DecodeNote(service_->GetCheckpoint().value()).value().text;
  }

  TestChain chain_;
  fs::path dir_;
  std::unique_ptr<ledger::Store> store_;
  std::optional<crypto::PrivateKey> witness_key_;
  std::optional<crypto::PrivateKey> stranger_key_;
  std::unique_ptr<CheckpointService> service_;
};

TEST_F(CheckpointServiceTest, TheCheckpointIsTheTreeHeadSignedByTheValidator) {
  EXPECT_EQ(service_->GetCheckpoint().status().code(), StatusCode::kNotFound);
  CommitBlock(1);
  auto served = service_->GetCheckpoint();
  ASSERT_TRUE(served.ok()) << served.status().message();
  auto note = crypto::DecodeNote(*served);
  ASSERT_TRUE(note.ok());
  auto checkpoint = crypto::DecodeCheckpointText(note->text);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->origin, chain_.genesis().chain_id());
  EXPECT_EQ(checkpoint->size, store_->head().size);
  EXPECT_EQ(crypto::DigestFromBytes(checkpoint->root), store_->head().root);
  ASSERT_EQ(note->signatures.size(), 1u);
  const crypto::NoteKey validator = crypto::NoteKey::ForValidator(
      CheckpointService::ValidatorKeyName(chain_.genesis(), chain_.genesis().validators()[0].name),
      chain_.genesis().validators()[0].vote_key);
  EXPECT_TRUE(validator.Verify(note->text, note->signatures[0]));
  EXPECT_EQ(*service_->GetCheckpoint(), *served);  // one head, one note
}

TEST_F(CheckpointServiceTest, AKnownWitnessesCosignatureIsServedWithTheCheckpoint) {
  CommitBlock(1);
  const std::string text = CurrentText();
  ASSERT_TRUE(service_->AddCosignature(Cosign(*witness_key_, "witness.example/w1", text)).ok());
  auto note = crypto::DecodeNote(service_->GetCheckpoint().value());
  ASSERT_TRUE(note.ok());
  ASSERT_EQ(note->signatures.size(), 2u);
  auto witness = crypto::NoteKey::ForWitness("witness.example/w1", witness_key_->public_key());
  uint64_t time = 0;
  EXPECT_TRUE(witness->Verify(note->text, note->signatures[1], &time));
  EXPECT_EQ(time, kNowSeconds);
  // A new head: the old cosignature is not shown with it.
  CommitBlock(2);
  EXPECT_EQ(crypto::DecodeNote(service_->GetCheckpoint().value())->signatures.size(), 1u);
}

TEST_F(CheckpointServiceTest, ForgedStaleUnknownFutureAndMalformedCosignaturesStoreNothing) {
  CommitBlock(1);
  const std::string old_text = CurrentText();
  const std::string stale = Cosign(*witness_key_, "witness.example/w1", old_text);
  CommitBlock(2);
  const std::string text = CurrentText();
  const std::string served = service_->GetCheckpoint().value();

  Status unknown = service_->AddCosignature(Cosign(*stranger_key_, "witness.example/w1", text));
  EXPECT_EQ(unknown.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->AddCosignature(Cosign(*witness_key_, "witness.example/w2", text)).code(),
            StatusCode::kPermissionDenied);  // the name is part of the key
  auto forged = crypto::DecodeNote(Cosign(*witness_key_, "witness.example/w1", text)).value();
  forged.signatures[0].signature.back() ^= 1;
  EXPECT_EQ(service_->AddCosignature(crypto::EncodeNote(forged)).code(),
            StatusCode::kInvalidArgument);
  Status stale_status = service_->AddCosignature(stale);
  EXPECT_EQ(stale_status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(stale_status.message().find("stale"), std::string::npos);
  EXPECT_EQ(service_->AddCosignature(Cosign(*witness_key_, "witness.example/w1", text,
                                            kNowSeconds + 3600))
                .code(),
            StatusCode::kInvalidArgument);
  auto two = crypto::DecodeNote(Cosign(*witness_key_, "witness.example/w1", text)).value();
  two.signatures.push_back(two.signatures[0]);
  EXPECT_EQ(service_->AddCosignature(crypto::EncodeNote(two)).code(), StatusCode::kInvalidArgument);
  const ledger::TreeHead head = store_->head();
  const std::string other_chain = crypto::EncodeCheckpointText(
      {"another-chain", head.size, Bytes(head.root.begin(), head.root.end())});
  EXPECT_EQ(service_->AddCosignature(Cosign(*witness_key_, "witness.example/w1", other_chain)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->AddCosignature("not a note").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->AddCosignature(std::string(crypto::kNoteBytesMax + 1, 'a')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->GetCheckpoint().value(), served);  // nothing was stored
}

TEST_F(CheckpointServiceTest, ANodeWithoutAVoteKeyServesOnlyCosignedCheckpoints) {
  std::vector<crypto::NoteKey> witnesses = {
      crypto::NoteKey::ForWitness("witness.example/w1", witness_key_->public_key()).value()};
  CheckpointService observer(chain_.genesis(), *store_, nullptr, "observer", std::move(witnesses),
                             [] { return kNowSeconds; });
  CommitBlock(1);
  EXPECT_EQ(observer.GetCheckpoint().status().code(), StatusCode::kNotFound);
  const ledger::TreeHead head = store_->head();
  const std::string text = crypto::EncodeCheckpointText(
      {chain_.genesis().chain_id(), head.size, Bytes(head.root.begin(), head.root.end())});
  ASSERT_TRUE(observer.AddCosignature(Cosign(*witness_key_, "witness.example/w1", text)).ok());
  EXPECT_EQ(crypto::DecodeNote(observer.GetCheckpoint().value())->signatures.size(), 1u);
}

TEST_F(CheckpointServiceTest, CosignaturesSurviveARestart) {
  CommitBlock(1);
  service_ = Persistent({WitnessKey()});
  const std::string text = CurrentText();
  ASSERT_TRUE(service_->AddCosignature(Cosign(*witness_key_, "witness.example/w1", text)).ok());
  ASSERT_TRUE(fs::exists(StatePath()));
  service_.reset();  // the node stops
  service_ = Persistent({WitnessKey()});
  EXPECT_TRUE(service_->LoadStatus().ok()) << service_->LoadStatus().ToString();
  EXPECT_EQ(service_->CosignatureCount(), 1u);
  auto note = crypto::DecodeNote(service_->GetCheckpoint().value());
  ASSERT_TRUE(note.ok());
  ASSERT_EQ(note->signatures.size(), 2u);
  EXPECT_TRUE(WitnessKey().Verify(note->text, note->signatures[1]));
}

TEST_F(CheckpointServiceTest, ARemovedWitnessesCosignatureIsDroppedOnRestart) {
  CommitBlock(1);
  service_ = Persistent({WitnessKey()});
  ASSERT_TRUE(
      service_->AddCosignature(Cosign(*witness_key_, "witness.example/w1", CurrentText())).ok());
  service_.reset();
  service_ = Persistent({});  // the witness is no longer accepted
  EXPECT_TRUE(service_->LoadStatus().ok());
  EXPECT_EQ(service_->CosignatureCount(), 0u);
  EXPECT_EQ(crypto::DecodeNote(service_->GetCheckpoint().value()).value().signatures.size(), 1u);
}

TEST_F(CheckpointServiceTest, ADamagedStateFileIsReportedAndTheServiceStartsEmpty) {
  CommitBlock(1);
  for (std::string damage : {std::string("{\"v\":1,\"cosignatures\":"), std::string("[]"),
                             std::string("{\"v\":2,\"cosignatures\":[]}"),
                             std::string("{\"v\":1,\"cosignatures\":[1]}")}) {
    {
      std::ofstream out(StatePath(), std::ios::binary | std::ios::trunc);
      out << damage;
    }
    service_ = Persistent({WitnessKey()});
    EXPECT_EQ(service_->CosignatureCount(), 0u) << damage;
    if (damage.find("[1]") == std::string::npos) {
      EXPECT_FALSE(service_->LoadStatus().ok()) << damage;
    }
    // It works on and writes a good file again.
    ASSERT_TRUE(
        service_->AddCosignature(Cosign(*witness_key_, "witness.example/w1", CurrentText())).ok());
    service_ = Persistent({WitnessKey()});
    EXPECT_TRUE(service_->LoadStatus().ok());
    EXPECT_EQ(service_->CosignatureCount(), 1u);
  }
}

TEST(WitnessKeysTest, TheRegistersWitnessesThenTheNodesOwnThatTheRegisterNeverHeld) {
  const auto genesis_witness = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value();
  ledger::testing::TestChainOptions options;
  options.governed = true;
  options.witnesses = {{"witness.example/w1", genesis_witness.public_key()}};
  TestChain chain(options);
  const auto own = crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value();
  const auto state = ledger::GovernanceState::FromGenesis(chain.genesis());
  std::vector<crypto::NoteKey> keys = WitnessKeys(
      *state, {crypto::NoteKey::ForWitness("witness.example/w2", own.public_key()).value(),
               // Another key under the register's name: the register's wins.
               crypto::NoteKey::ForWitness("witness.example/w1", own.public_key()).value(),
               // The register's key under another name: not a second witness.
               crypto::NoteKey::ForWitness("witness.example/w3", genesis_witness.public_key()).value()});
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name(), "witness.example/w1");
  EXPECT_EQ(keys[0].public_key().key_id(), genesis_witness.public_key().key_id());
  EXPECT_EQ(keys[1].name(), "witness.example/w2");
  EXPECT_EQ(keys[1].public_key().key_id(), own.public_key().key_id());
  TestChain ungoverned;
  EXPECT_EQ(WitnessKeys(*ledger::GovernanceState::FromGenesis(ungoverned.genesis()), {}).size(), 0u);
}

// The witnesses a node accepts follow the register in force: genesis's, then
// add-witness / remove-witness from the block they take effect for.
class GovernedWitnessesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w1_.emplace(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value());
    w2_.emplace(crypto::PrivateKey::Generate(crypto::SignatureAlgorithm::kEd25519).value());
    ledger::testing::TestChainOptions options;
    options.governed = true;
    options.witnesses = {{"witness.example/w1", w1_->public_key()}};
    chain_.emplace(options);
    dir_ = fs::temp_directory_path() /
           ("checkpoints-governed-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(WallClockMs()));
    auto store = ledger::Store::Open(dir_.string(), chain_->genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    // No node.toml keys: only the register's witnesses.
    service_ = std::make_unique<CheckpointService>(
        chain_->genesis(), *store_, &chain_->validator_key(0),
        chain_->genesis().validators()[0].name, std::vector<crypto::NoteKey>{},
        [] { return kNowSeconds; });
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void Commit(const std::vector<std::string>& actions = {}) {
    static uint64_t seed = 100;
    TestChain::Step step =
        chain_->NextWithActions({chain_->MakeRecord(0, "(2026)鲁0831行罚1号", ++seed)}, actions);
    ASSERT_TRUE(store_->Append(step.block, step.commit).ok());
  }
  Status CosignNow(const crypto::PrivateKey& key, std::string_view name) {
    const std::string text = crypto::DecodeNote(service_->GetCheckpoint().value()).value().text;
    crypto::Note note;
    note.text = text;
    note.signatures.push_back(
        crypto::SignNote(key, name, crypto::NoteKeyType::kCosignatureV1, text, kNowSeconds).value());
    return service_->AddCosignature(crypto::EncodeNote(note));
  }
  size_t ServedSignatures() {
    return crypto::DecodeNote(service_->GetCheckpoint().value()).value().signatures.size();
  }

  std::optional<crypto::PrivateKey> w1_, w2_;
  std::optional<TestChain> chain_;
  fs::path dir_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<CheckpointService> service_;
};

TEST_F(GovernedWitnessesTest, AddAndRemoveWitnessTakeEffectWithTheRegisterInForce) {
  Commit();
  ASSERT_TRUE(CosignNow(*w1_, "witness.example/w1").ok());
  EXPECT_EQ(ServedSignatures(), 2u);
  EXPECT_EQ(CosignNow(*w2_, "witness.example/w2").code(), StatusCode::kPermissionDenied);

  // Block 2 carries add-witness w2 and remove-witness w1: in force for block 4.
  Commit({chain_->ActionLeafOf(ledger::AddWitness{{"witness.example/w2", w2_->public_key()}}),
          chain_->ActionLeafOf(ledger::RemoveWitness{"witness.example/w1"},
                               chain_->history().Latest()->next_seq() + 1)});
  EXPECT_EQ(CosignNow(*w2_, "witness.example/w2").code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(CosignNow(*w1_, "witness.example/w1").ok());  // still in force for block 3
  Commit();                                                 // block 3: the next block is 4
  // w1's cosignature of this head is no longer served, and w1 no longer accepted.
  EXPECT_EQ(ServedSignatures(), 1u);
  EXPECT_EQ(CosignNow(*w1_, "witness.example/w1").code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(CosignNow(*w2_, "witness.example/w2").ok());
  EXPECT_EQ(ServedSignatures(), 2u);
  EXPECT_EQ(service_->CosignatureCount(), 2u);  // w1's old one is kept but never served
}

}  // namespace
}  // namespace evidence::node
